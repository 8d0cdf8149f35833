"""Risk score, band and movement (DOMAIN.md section 3), with the East Sussex risk log."""

import pytest

from programmes.choices import Rag
from programmes.rules import goes_to_board, risk_band
from risks.rules import Movement, risk_movement, risk_score, score_if_rated

# Appendix B of the East Sussex "Putting People First" report: CF6 - 001 to 004.
EAST_SUSSEX_LOG = [
    ("CF6 - 001", 4, 3, 12),
    ("CF6 - 002", 3, 3, 9),
    ("CF6 - 003", 4, 2, 8),
    ("CF6 - 004", 4, 3, 12),
]


@pytest.mark.parametrize(("reference", "likelihood", "impact", "score"), EAST_SUSSEX_LOG)
def test_the_east_sussex_rows_score_and_band_as_the_log_says(reference, likelihood, impact, score):
    assert risk_score(likelihood, impact) == score
    assert risk_band(risk_score(likelihood, impact)) == Rag.AMBER


@pytest.mark.parametrize(
    ("score", "band"),
    [(1, Rag.GREEN), (4, Rag.GREEN), (5, Rag.AMBER), (12, Rag.AMBER), (15, Rag.RED), (25, Rag.RED)],
)
def test_default_band_edges(score, band):
    assert risk_band(score) == band


@pytest.mark.parametrize(
    ("score", "band"),
    [(3, Rag.GREEN), (4, Rag.AMBER), (9, Rag.AMBER), (10, Rag.RED)],
)
def test_a_councils_own_bands(score, band):
    assert risk_band(score, amber_from=4, red_from=10) == band


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 1), (3, 0), (1, 6)])
def test_likelihood_and_impact_must_be_one_to_five(likelihood, impact):
    with pytest.raises(ValueError, match="from 1 to 5"):
        risk_score(likelihood, impact)


@pytest.mark.parametrize(
    ("likelihood", "impact", "score"),
    [(None, 3, None), (4, None, None), (None, None, None), (4, 3, 12)],
)
def test_a_rating_left_blank_has_no_score(likelihood, impact, score):
    assert score_if_rated(likelihood, impact) == score


def test_bands_must_be_in_order():
    with pytest.raises(ValueError):
        risk_band(10, amber_from=15, red_from=10)


def test_movement_since_last_period():
    assert risk_movement(None, 12) == Movement.NEW
    assert risk_movement(9, 12) == Movement.UP
    assert risk_movement(12, 9) == Movement.DOWN
    assert risk_movement(12, 12) == Movement.SAME


def test_a_risk_at_the_board_threshold_goes_to_the_board():
    assert goes_to_board(15, risk_tolerance=15)
    assert not goes_to_board(12, risk_tolerance=15)
