import json

from knowledge_base.evaluate import (
    ANSWER,
    CLARIFY,
    FAQ_ANSWER,
    NOT_FOUND,
    Prediction,
    load_questions,
    make_noisy,
    score,
)
from tests.conftest import kb_env, run_tthc

QUESTIONS = [
    {"question": "q1", "gold": ["A"], "kind": "procedure", "confidence": "high", "source": "s1"},
    {"question": "q2", "gold": ["B", "C"], "kind": "procedure", "confidence": "high",
     "source": "s1"},
    {"question": "q3", "gold": ["D"], "kind": "procedure", "confidence": "low", "source": "s2"},
    {"question": "q4", "gold": ["E"], "kind": "procedure", "confidence": "low", "source": "s2"},
    {"question": "q5", "gold": [], "kind": "faq", "confidence": "high", "source": "s1"},
    {"question": "q6", "gold": [], "kind": "out_of_scope", "confidence": "low", "source": "s2"},
    {"question": "q7", "gold": ["F"], "kind": "procedure", "confidence": "low", "source": "s2"},
]
# question -> what the system did
ANSWERS = {
    "q1": Prediction(["A", "X"], ANSWER),  # rank 1, answered correctly
    "q2": Prediction(["X", "Y", "C"], ANSWER),  # rank 3, answered wrongly
    "q3": Prediction(["X", "Y", "Z", "W", "D"], CLARIFY, options=["X", "D"]),  # helpful clarify
    "q4": Prediction(["X"], NOT_FOUND),  # not found
    "q5": Prediction(["X"], ANSWER),  # FAQ question answered with a procedure: not rejected
    "q6": Prediction([], NOT_FOUND),  # out of scope rejected
    "q7": Prediction(["F"], FAQ_ANSWER),  # answered with an FAQ entry instead
}


def test_metrics_match_hand_computed_values():
    m = score(QUESTIONS, [q["question"] for q in QUESTIONS], ANSWERS.__getitem__, abstains=True)
    assert m["n"] == 7 and m["procedure_questions"] == 5
    assert (m["top1"], m["top3"], m["top5"]) == (0.4, 0.6, 0.8)  # q1, q7 | q2 | q3
    assert m["mrr"] == round((1 + 1 / 3 + 1 / 5 + 1) / 5, 4)  # 0.5067
    assert m["correct_answer_rate"] == 0.2 and m["wrong_answer_rate"] == 0.2
    assert m["helpful_rate"] == 0.4  # q1 answered, q3 clarified with D among the buttons
    assert m["faq_answer_rate"] == 0.2 and m["not_found_rate"] == 0.2  # q7 | q4
    assert m["rejection_rate"] == 0.5  # q6 of q5, q6
    assert set(m["latency_ms"]) == {"p50", "p95"}


def test_breakdowns_by_label_confidence_and_source():
    m = score(QUESTIONS, [q["question"] for q in QUESTIONS], ANSWERS.__getitem__, abstains=True)
    high, low = m["by_confidence"]["high"], m["by_confidence"]["low"]
    assert high["procedure_questions"] == 2 and low["procedure_questions"] == 3
    assert (high["correct_answer_rate"], high["wrong_answer_rate"]) == (0.5, 0.5)
    assert high["rejection_rate"] == 0.0  # q5 answered with a procedure
    assert (low["helpful_rate"], low["faq_answer_rate"], low["not_found_rate"]) == (
        0.3333, 0.3333, 0.3333)
    assert low["rejection_rate"] == 1.0
    assert m["by_source"]["s1"]["top1"] == 0.5 and m["by_source"]["s2"]["top5"] == 0.6667  # q3, q7 of q3, q4, q7


def test_details_have_one_line_per_question():
    rows: list[dict] = []
    score(QUESTIONS, [q["question"] for q in QUESTIONS], ANSWERS.__getitem__, True, rows)
    assert [r["decision"] for r in rows] == [
        "answer", "answer", "clarify", "not_found", "answer", "not_found", "faq"]
    assert rows[2]["options"] == ["X", "D"] and rows[2]["helpful"] and not rows[2]["top1"]
    assert rows[1]["wrong"] and rows[1]["top5"][2] == {"id": "C", "confidence": None}


def test_baselines_report_no_rejection_rate():
    m = score(QUESTIONS, [q["question"] for q in QUESTIONS], ANSWERS.__getitem__, abstains=False)
    assert m["rejection_rate"] is None and m["correct_answer_rate"] == m["top1"]


def test_noisy_view_is_seeded():
    import random

    a = make_noisy("Đăng ký khai sinh cho con không được thì sao", random.Random(7))
    b = make_noisy("Đăng ký khai sinh cho con không được thì sao", random.Random(7))
    assert a == b and a != "Đăng ký khai sinh cho con không được thì sao"


def test_eval_command_runs_all_systems_and_views(kb_workdir, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps(q, ensure_ascii=False)
            for q in [
                {
                    "id": "1",
                    "question": "làm giấy khai sinh cho con",
                    "gold": ["1.001193"],
                    "kind": "procedure",
                },
                {
                    "id": "2",
                    "question": "xin giấy độc thân",
                    "gold": ["1.004873"],
                    "kind": "procedure",
                },
                {
                    "id": "3",
                    "question": "đăng ký cho con học lớp 1",
                    "gold": [],
                    "kind": "out_of_scope",
                },
            ]
        ),
        encoding="utf-8",
    )
    out = tmp_path / "report.json"
    details = tmp_path / "details.jsonl"
    run_tthc(kb_env(kb_workdir), "eval", str(questions), "--json", str(out),
             "--details", str(details))
    report = json.loads(out.read_text())
    assert set(report["systems"]) == {"ours", "retriever", "bm25", "minilm"}
    assert len(details.read_text().splitlines()) == 3 * 4 * 3  # questions x systems x views
    for system in report["systems"].values():
        assert set(system) == {"as_written", "no_diacritics", "noisy"}
    assert report["systems"]["ours"]["as_written"]["top1"] == 1.0
    assert report["systems"]["bm25"]["as_written"]["rejection_rate"] is None
    assert len(load_questions(questions)) == 3


def test_noisy_view_shorthand_is_not_just_what_the_pipeline_undoes():
    # A noisy view made only of the lexicon's own abbreviations would flatter us.
    from pathlib import Path

    import yaml

    from knowledge_base.evaluate import SHORTHAND

    lexicon = yaml.safe_load((Path(__file__).resolve().parents[2] / "knowledge_base" / "data"
                              / "lexicon.yml").read_text(encoding="utf-8"))
    undone = {form for rule in lexicon["abbreviations"] for form in rule["from"]}
    forms = [short for shorts in SHORTHAND.values() for short in shorts]
    unknown = [form for form in forms if form not in undone]
    assert len(unknown) >= len(forms) / 2, unknown
