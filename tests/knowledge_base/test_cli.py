import json

from tests.conftest import kb_env, run_tthc


def test_show_prints_the_documented_json(kb_workdir):
    result = run_tthc(kb_env(kb_workdir), "kb", "show", "1.004222", "--json")
    procedure = json.loads(result.stdout)
    assert {
        "code",
        "name",
        "field",
        "official_url",
        "flags",
        "channels",
        "document_groups",
    } <= procedure.keys()
    channel = procedure["channels"][0]
    assert channel["method"] in {"truc_tiep", "truc_tuyen", "buu_chinh"}
    assert set(channel["processing_time"]) >= {"value", "unit", "text"}
    assert set(channel["fee"]) >= {"amount_vnd", "text"}
    group = procedure["document_groups"][0]
    assert (
        group["kind"] in {"submit", "present"}
        and {"name", "copies"} <= group["documents"][0].keys()
    )


def test_show_free_fee_is_zero(kb_workdir):
    procedure = json.loads(run_tthc(kb_env(kb_workdir), "kb", "show", "1.001193", "--json").stdout)
    assert {c["fee"]["amount_vnd"] for c in procedure["channels"]} == {0}


def test_unknown_code_exits_2_with_a_clear_message(kb_workdir):
    result = run_tthc(kb_env(kb_workdir), "kb", "show", "9.999999", "--json", check=False)
    assert result.returncode == 2
    assert "Unknown procedure code" in result.stderr


def test_second_import_changes_nothing(kb_workdir):
    result = run_tthc(kb_env(kb_workdir), "kb", "import")
    assert "0 added, 0 changed, 0 removed" in result.stderr
    assert "flagged 3.000224" in result.stderr


def test_search_json(kb_workdir):
    result = run_tthc(kb_env(kb_workdir), "kb", "search", "xin giấy độc thân", "--json")
    payload = json.loads(result.stdout)
    assert payload["decision"] in {"answer", "clarify", "not_found"}
    assert payload["hits"][0]["id"] == "1.004873"
