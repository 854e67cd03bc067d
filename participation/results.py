"""What surveys and votes add up to: a survey's results, and the satisfaction score that feeds the
assessment items (考核)."""

from __future__ import annotations

from datetime import date

from .models import SCALE_MAX, SCALE_MIN, Answer, QuestionKind, Response, Survey


def survey_results(survey: Survey) -> dict:
    """``{"responses": n, "questions": [...]}``: per question its counts per choice (single and multiple
    choice), the mean and the count per mark (scale), or the texts (free text, never with their author:
    answers name nobody)."""
    answers_by_question: dict[int, list] = {}
    for question_id, value in Answer.objects.filter(response__survey=survey).order_by("response_id").values_list(
            "question_id", "value"):
        answers_by_question.setdefault(question_id, []).append(value)
    questions = []
    for question in survey.questions.all():
        values = answers_by_question.get(question.pk, [])
        item = {"id": question.pk, "order": question.order, "kind": question.kind, "text": question.text,
                "answered": len(values)}
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = dict.fromkeys(question.choices, 0)
            for value in values:
                for choice in value if isinstance(value, list) else [value]:
                    if choice in counts:
                        counts[choice] += 1
            item["counts"] = [{"choice": c, "count": n, "share": (n / len(values)) if values else 0.0}
                              for c, n in counts.items()]
        elif question.kind == QuestionKind.SCALE:
            marks = [int(v) for v in values]
            item["mean"] = round(sum(marks) / len(marks), 2) if marks else None
            item["counts"] = [{"choice": str(m), "count": marks.count(m),
                               "share": (marks.count(m) / len(marks)) if marks else 0.0}
                              for m in range(SCALE_MIN, SCALE_MAX + 1)]
        else:
            item["texts"] = [str(v) for v in values]
        questions.append(item)
    return {"responses": survey.responses.count(), "questions": questions}


def satisfaction_score(place, start: date, end: date) -> float | None:
    """The satisfaction of the residents of ``place`` over a period, 0–100: the mean of every scale
    (1–5) answer given by residents living under the place (``Response.path``) in responses submitted
    from ``start`` to ``end`` (inclusive), to surveys of any place, normalised so that 1 is 0 and 5 is 100.
    ``None`` when nobody answered a scale question in the period.

    This is what the assessment items (考核: 群众满意率) read for a place; it counts answers, not people,
    and never looks at who answered."""
    marks = [int(v) for v in Answer.objects.filter(
        question__kind=QuestionKind.SCALE, response__path__startswith=place.path,
        response__submitted_at__date__gte=start, response__submitted_at__date__lte=end).values_list("value", flat=True)]
    if not marks:
        return None
    mean = sum(marks) / len(marks)
    return round((mean - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * 100, 1)


def responded(survey: Survey, user) -> bool:
    return Response.objects.filter(survey=survey, respondent=user).exists()
