import json
import subprocess
from pathlib import Path

import pytest

from actions.templates import DomainTemplates, Reply, interpolate

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = DomainTemplates.load(ROOT / "bot" / "domain")


def test_render_fills_variables_and_keeps_template_buttons() -> None:
    rendered = TEMPLATES.render(Reply("utter_not_found", {
        "office_name": "Trung tâm X", "office_address": "Số 1", "office_phone": "024",
        "national_portal_url": "https://dichvucong.gov.vn"}))
    assert "Trung tâm X" in rendered.text and "{" not in rendered.text
    assert [b.payload for b in rendered.buttons] == ["/request_human", "/deny"]


def test_missing_variable_leaves_the_template_untouched_like_rasa() -> None:
    assert interpolate("A {x} B {y}", {"x": "1"}) == "A {x} B {y}"
    assert interpolate("Lệ phí: {fee}", {"fee": "Miễn phí"}) == "Lệ phí: Miễn phí"


@pytest.mark.slow
def test_interpolation_matches_rasa_itself() -> None:
    cases = [("Lệ phí: {fee}", {"fee": "10,000 đồng"}), ("A {x} B {y}", {"x": "1"}),
             ("{a}{b}", {"a": "x", "b": "{c}"}), ("no vars", {}), ('/rate{"rating":"1"}', {"x": 1})]
    script = ("import json,sys\nfrom rasa.core.nlg.interpolator import interpolate_text\n"
              "print(json.dumps([interpolate_text(t, v) for t, v in json.load(sys.stdin)]))")
    result = subprocess.run([str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", script],
                            input=json.dumps(cases), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    expected = json.loads(result.stdout.strip().splitlines()[-1])
    assert [interpolate(t, v) for t, v in cases] == expected
