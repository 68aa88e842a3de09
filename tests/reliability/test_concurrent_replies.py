"""Checks 1–4: concurrent editors, the first-save race, torn sections and submission against edits.

Real threads on their own PostgreSQL connections drive the same services the views call. Every figure is an
exact count: a lost update, a duplicate row, a torn section or a snapshot that differs from the answers is a
failure, whatever its frequency.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from consultation.models import Answer, AnswerRevision, Response, ResponseStatus, ResponseSubmission
from consultation.services import responses as response_services
from consultation.services.answers import AnswerConflict, ReplyLocked, answer_save, response_get_or_create
from consultation.services.responses import response_reopen, response_submit

from .conftest import requires_postgres, run_concurrently

pytestmark = [pytest.mark.reliability, requires_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enqueued(monkeypatch):
    """Count the report refreshes the submissions ask for, without building reports in these threads."""
    calls: list[int] = []
    lock = threading.Lock()

    def record(*, consultation_id: int) -> bool:
        with lock:
            calls.append(consultation_id)
        return True

    monkeypatch.setattr(response_services, "reports_refresh_enqueue", record)
    return calls


def _constraint_columns(table: str) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {tuple(c["columns"]) for c in constraints.values() if c["unique"] and not c["primary_key"]}


def test_first_save_race_creates_one_reply_and_one_answer_per_item(delegation, figures):
    """Check 2: 20 colleagues press Save at the same instant on a reply that does not exist yet."""
    assert ("consultation_id", "party_id") in _constraint_columns(Response._meta.db_table)
    assert ("response_id", "item_id") in _constraint_columns(Answer._meta.db_table)
    items = delegation.items[:5]
    editors = delegation.editors * 2  # 20 sessions of the same delegation

    def first_save(index: int) -> Counter:
        outcome: Counter = Counter()
        response = response_get_or_create(consultation=delegation.consultation, party=delegation.party)
        for item in items:
            try:
                answer_save(
                    response=response,
                    item=item,
                    data={"position": "yes", "explanation": f"Session {index}"},
                    base_version=0,
                    user=editors[index],
                )
                outcome["accepted"] += 1
            except AnswerConflict as conflict:
                outcome[f"conflicts at version {conflict.current.version}"] += 1
        return outcome

    outcome = run_concurrently(20, first_save)
    assert outcome.errors == []
    totals = sum(outcome.results, Counter())
    responses = Response.objects.filter(consultation=delegation.consultation, party=delegation.party).count()
    per_item = Counter(Answer.objects.filter(response__consultation=delegation.consultation).values_list("item_id"))
    figures(
        f"first-save race: 20 sessions x {len(items)} items, {responses} reply row, "
        f"{len(per_item)} answer rows ({max(per_item.values())} max per item), "
        f"{totals['accepted']} accepted, {totals['conflicts at version 1']} conflicts, {len(outcome.errors)} errors"
    )
    assert responses == 1
    assert len(per_item) == len(items)
    assert set(per_item.values()) == {1}
    assert totals == Counter({"accepted": len(items), "conflicts at version 1": 19 * len(items)})
    assert AnswerRevision.objects.count() == len(items)


def test_concurrent_editors_lose_no_update(delegation, figures):
    """Check 1: 10 sessions of one delegation save the same answer 100 times each with the version they read."""
    item = delegation.items[0]
    response = response_get_or_create(consultation=delegation.consultation, party=delegation.party)
    rounds = 100
    accepted: list[tuple[int, dict]] = []
    conflicts: list[tuple[int, int, dict]] = []
    lock = threading.Lock()

    def edit(index: int) -> int:
        user = delegation.editors[index]
        for round_number in range(rounds):
            current = Answer.objects.filter(response=response, item=item).values("version", "data").first()
            base = current["version"] if current else 0
            data = {"position": "partially", "explanation": f"Editor {index}, round {round_number}"}
            try:
                saved = answer_save(response=response, item=item, data=data, base_version=base, user=user)
            except AnswerConflict as conflict:
                with lock:
                    conflicts.append((base, conflict.current.version, conflict.current.data))
            else:
                with lock:
                    accepted.append((saved.version, saved.data))
        return index

    outcome = run_concurrently(10, edit)
    assert outcome.errors == []
    revisions = dict(AnswerRevision.objects.filter(answer__response=response).values_list("version", "data"))
    final = Answer.objects.get(response=response, item=item)
    lost = [version for version, data in accepted if revisions.get(version) != data]
    stale_without_current = [c for c in conflicts if c[1] <= c[0] or revisions.get(c[1]) != c[2]]
    figures(
        f"concurrent editors: {10 * rounds} attempts, {len(accepted)} accepted, {len(conflicts)} conflicts, "
        f"{len(lost)} lost, {len(stale_without_current)} conflicts without the current value, "
        f"{len(outcome.errors)} errors"
    )
    assert len(accepted) + len(conflicts) == 10 * rounds
    assert len(accepted) >= rounds  # the first of each round at least
    # Each accepted write is the revision of its version, versions are 1..n without gaps or duplicates,
    # and the answer read back is the last accepted write.
    assert sorted(version for version, _ in accepted) == list(range(1, len(accepted) + 1))
    assert lost == []
    assert final.version == len(accepted)
    assert final.data == dict(accepted)[final.version]
    # Each refused write was stale, and carried a value that really was current (a saved revision).
    assert stale_without_current == []


def _section_values(response: Response, items) -> dict[int, str]:
    return dict(Answer.objects.filter(response=response, item__in=items).values_list("item_id", "data__explanation"))


def _save_section(*, response, items, versions, label, user) -> None:
    """One editor saves the whole section in one transaction, each item with the version read."""
    with transaction.atomic():
        for item in items:
            answer_save(
                response=response,
                item=item,
                data={"position": "yes", "explanation": label},
                base_version=versions.get(item.pk, 0),
                user=user,
            )


def test_two_editors_saving_a_section_never_mix_their_values(delegation, figures):
    """Check 3: two editors save the whole 10-item theme section concurrently, 100 times."""
    items = delegation.items
    response = response_get_or_create(consultation=delegation.consultation, party=delegation.party)
    editors = delegation.editors[:2]
    mixed, winners = 0, Counter()
    for trial in range(100):
        versions = dict(Answer.objects.filter(response=response).values_list("item_id", "version"))

        def save(index: int, trial=trial, versions=versions) -> str:
            label = f"Editor {'AB'[index]}, trial {trial}"
            try:
                _save_section(response=response, items=items, versions=versions, label=label, user=editors[index])
            except AnswerConflict:
                return "conflict"
            return label

        outcome = run_concurrently(2, save)
        assert outcome.errors == []
        values = set(_section_values(response, items).values())
        if len(values) != 1:
            mixed += 1
        accepted = [result for result in outcome.results if result != "conflict"]
        winners[len(accepted)] += 1
        assert values == set(accepted[-1:]) or (not accepted and len(values) == 1)
    figures(
        f"torn sets: 100 trials x 2 editors x {len(items)} items, {mixed} mixed sections, "
        f"{winners[1]} trials with one accepted editor, {winners[2]} with both in turn, {winners[0]} with none"
    )
    assert mixed == 0
    assert winners[2] == 0  # the second editor always worked from stale versions


def test_submission_racing_an_edit_freezes_exactly_the_answers_of_that_moment(delegation, enqueued, figures):
    """Check 4: an edit races the head of delegation's submission, 100 times; later edits are refused."""
    items = delegation.items
    response = response_get_or_create(consultation=delegation.consultation, party=delegation.party)
    for item in items:
        answer_save(response=response, item=item, data={"position": "yes"}, base_version=0, user=delegation.head)
    edit_first, submit_first, refused_later = 0, 0, 0
    trials = 100
    for trial in range(trials):
        item = items[trial % len(items)]
        version = Answer.objects.get(response=response, item=item).version
        value = {"position": "no", "explanation": f"Edit of trial {trial}"}

        def race(index: int, item=item, version=version, value=value):
            if index == 0:
                return ("submission", response_submit(response=response, user=delegation.head))
            try:
                answer_save(response=response, item=item, data=value, base_version=version, user=delegation.editors[0])
            except ReplyLocked:
                return ("edit", "refused")
            return ("edit", "saved")

        outcome = run_concurrently(2, race)
        assert outcome.errors == []
        results = dict(outcome.results)
        submission = results["submission"]
        answers_now = {
            row["item__code"]: {"data": row["data"], "version": row["version"], "language": row["language"]}
            for row in Answer.objects.filter(response=response).values("item__code", "data", "version", "language")
        }
        assert submission.snapshot == answers_now
        assert (answers_now[item.code]["data"] == value) == (results["edit"] == "saved")
        edit_first += results["edit"] == "saved"
        submit_first += results["edit"] == "refused"
        # After the submission, any edit is refused and nothing changes.
        try:
            answer_save(
                response=response,
                item=item,
                data={"position": "partially"},
                base_version=answers_now[item.code]["version"],
                user=delegation.editors[1],
            )
        except ReplyLocked:
            refused_later += 1
        assert Response.objects.get(pk=response.pk).status == ResponseStatus.SUBMITTED
        response_reopen(response=response, user=delegation.secretariat, reason=f"Trial {trial}: next race")
    submissions = ResponseSubmission.objects.filter(response=response).count()
    figures(
        f"submit against edit: {trials} trials, {trials} snapshots equal to the answers at submission, "
        f"{edit_first} edits landed before the submission, {submit_first} refused after it, "
        f"{refused_later}/{trials} later edits refused, {submissions} submissions, {len(enqueued)} report refreshes"
    )
    assert edit_first + submit_first == trials
    assert refused_later == trials
    assert submissions == trials
    assert len(enqueued) == 2 * trials  # one per submission and one per reopening
