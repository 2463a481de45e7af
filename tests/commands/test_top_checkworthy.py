import pytest
from django.core.management import CommandError, call_command

from tests.conftest import shared_path


@pytest.mark.shared_data
def test_the_command_lists_the_top_claims_and_counts_what_should_not_be_there(capsys):
    gold = shared_path("gold", "news_dev.json")
    call_command("top_checkworthy", str(gold), "--seeds", str(shared_path("data", "polnear")))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(".")[0].strip() for line in lines[:20]] == [str(i) for i in range(1, 21)]
    assert all(" factual " in line or " statistic " in line for line in lines[:20])
    assert lines[-1].endswith(": 0 boilerplate, 0 market-index moves, 0 predictions")


def test_a_missing_gold_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read gold annotations"):
        call_command("top_checkworthy", str(tmp_path / "none.json"), "--seeds", str(tmp_path))
