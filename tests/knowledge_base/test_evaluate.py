import json

from knowledge_base.evaluate import load_questions, make_noisy, score
from tests.conftest import kb_env, run_tthc

QUESTIONS = [
    {"question": "q1", "gold": ["A"], "kind": "procedure"},
    {"question": "q2", "gold": ["B", "C"], "kind": "procedure"},
    {"question": "q3", "gold": ["D"], "kind": "procedure"},
    {"question": "q4", "gold": ["E"], "kind": "procedure"},
    {"question": "q5", "gold": [], "kind": "faq"},
    {"question": "q6", "gold": [], "kind": "out_of_scope"},
]
# question -> (ranked procedure codes, decision is "answer with a procedure")
ANSWERS = {
    "q1": (["A", "X"], True),  # rank 1, answered correctly
    "q2": (["X", "Y", "C"], True),  # rank 3, answered wrongly
    "q3": (["X", "Y", "Z", "W", "D"], False),  # rank 5, clarified
    "q4": (["X"], False),  # not found in the list
    "q5": (["X"], True),  # FAQ question answered with a procedure: not rejected
    "q6": ([], False),  # out of scope rejected
}


def test_metrics_match_hand_computed_values():
    m = score(QUESTIONS, [q["question"] for q in QUESTIONS], lambda t: ANSWERS[t], abstains=True)
    assert m["n"] == 6
    assert (m["top1"], m["top3"], m["top5"]) == (0.25, 0.5, 0.75)
    assert m["mrr"] == round((1 + 1 / 3 + 1 / 5) / 4, 4)  # 0.3833
    assert m["correct_answer_rate"] == 0.25 and m["wrong_answer_rate"] == 0.25
    assert m["rejection_rate"] == 0.5
    assert set(m["latency_ms"]) == {"p50", "p95"}


def test_baselines_report_no_rejection_rate():
    m = score(QUESTIONS, [q["question"] for q in QUESTIONS], lambda t: ANSWERS[t], abstains=False)
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
    run_tthc(kb_env(kb_workdir), "eval", str(questions), "--json", str(out))
    report = json.loads(out.read_text())
    assert set(report["systems"]) == {"ours", "bm25", "minilm"}
    for system in report["systems"].values():
        assert set(system) == {"as_written", "no_diacritics", "noisy"}
    assert report["systems"]["ours"]["as_written"]["top1"] == 1.0
    assert report["systems"]["bm25"]["as_written"]["rejection_rate"] is None
    assert len(load_questions(questions)) == 3
