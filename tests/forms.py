"""Build POST data the way the pages' forms send it (dates in day, month and year boxes)."""

from datetime import date


def date_parts(name: str, value: date | tuple | None) -> dict[str, str]:
    """A GOV.UK date input: name_0 (day), name_1 (month), name_2 (year). A tuple is
    (day, month, year) or (month, year), and may hold text that is not a number."""
    if value is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    if isinstance(value, date):
        value = (value.day, value.month, value.year)
    elif len(value) == 2:  # (month, year): a month-precision date, the day left blank
        value = ("", *value)
    return {f"{name}_{index}": str(part) for index, part in enumerate(value)}


def progress(milestone, **overrides) -> dict[str, str]:
    """The milestone progress form as the page would send it, unchanged unless overridden."""
    data = {
        "status": milestone.status,
        "at_risk": "on" if milestone.at_risk else "",
        "note": "",
        "version": str(milestone.version),
        **date_parts("forecast", milestone.forecast_date),
        **date_parts("actual_date", milestone.actual_date),
    }
    for key, value in overrides.items():
        if key in ("forecast", "actual_date"):
            data.update(date_parts(key, value))
        else:
            data[key] = value
    return {key: value for key, value in data.items() if value != "" or key == "note"}


def status_update(**overrides) -> dict[str, str]:
    data = {
        "rag": "green",
        "reason": "",
        "achievements": "Consultation meetings held",
        "planned_next": "Write up the findings",
        "escalations": "",
        "decisions_needed": "",
        "action": "submit",
    }
    data.update(overrides)
    return data
