# The after-action report and the traceable package (crate `report`).

## Counts.

count-events = { $count ->
    [one] { $count } event
   *[other] { $count } events
}
count-revisions = { $count ->
    [one] { $count } revision
   *[other] { $count } revisions
}
count-positions = { $count ->
    [one] { $count } position
   *[other] { $count } positions
}

## The organisation's words: roles and rules. Positions, outcomes, categories and dispositions are the
## console's words too (`console.ftl`), used as they are.

role-coordinator = exercise control
role-joint-staff = Joint Staff
role-secretariat = Secretariat
role-control-point = national control point
role-observer = observer
role-guest = guest
role-participant = participant
rule-consensus = consensus of the states present
rule-silence = silence procedure
aar-not-considered = not considered
aar-position-unstated = unstated
aar-no-position = no position
aar-version-short = v{ $version }

## Why a slot came out as it did (the coordinator's consideration, said again from what it recorded).

reason-no-draft = no draft was submitted
reason-not-concurred = no consensus: { $states } did not concur
reason-no-position = no consensus: { $states } gave no position
reason-none-concurred = no consensus: no state concurred
reason-consensus = consensus of the states present
reason-objection = objection by { $states }
reason-silence = no objection by the deadline (silence procedure)

## What happened, for the timeline (and `muster run`'s progress).

event-notified = participants notified; assembly open
event-assembly-closed = assembly closed: { $assembled } reported, absent: { $absent }
event-deployment-ordered = deployment ordered; control points activate
event-stage-opened = stage { $stage } opened: { $title }
event-stage-considered = stage { $stage } considered: { $adopted } of { $considered } adopted
event-package-communicated = { $count ->
    [one] package of { $count } draft communicated to the states
   *[other] package of { $count } drafts communicated to the states
}
event-paused = paused by exercise control: { $reason }
event-resumed = resumed by exercise control: { $reason }
event-inject-released = inject { $inject } released
event-advanced = advanced by exercise control: { $reason }
event-exercise-concluded = { $count ->
    [one] exercise concluded: { $count } receipt
   *[other] exercise concluded: { $count } receipts
}
event-record-complete = record complete

## The report.

aar-title = After-action report: { $title }
aar-exercise = Exercise
aar-started = started { $starts }
aar-rule = decision rule: { $rule }
aar-time = { $span } of exercise time in { $wall } s wall time (time scale { $scale }×)
aar-concluded = Concluded
aar-not-concluded = Not concluded
aar-considered = { $count ->
    [one] { $count } slot considered
   *[other] { $count } slots considered
}: { $adopted } adopted, { $returned } returned, { $nodraft } without a draft
aar-summary = Summary
aar-timeline = Timeline
aar-participants = Participants
aar-absent = Absent
aar-absent-why = (declared absent, or silent when assembly closed): { $list }
aar-answer-times = Answer times of the states
aar-answer-times-why = Exercise time from what asked for the answer (the notification, the deployment order, the stage's opening, the draft version's circulation, the package) to the answer, pauses not counted; wall time beside it.
aar-package = Package as sent
aar-no-package = No package was communicated.
aar-package-sent = Package
aar-package-at = sent
aar-receipts = Receipts confirmed: { $list }
aar-person = a person
aar-automated = automated
aar-remote = remote, through its national node
aar-after = after { $span }

aar-stage-heading = Stage { $stage }: { $title }
aar-stage-region = Region: { $region }
aar-stage-opened = Opened
aar-stage-never-opened = Never opened
aar-stage-deadline = deadline
aar-stage-situation = Situation
aar-stage-no-situation = No situation was set.
aar-stage-injects = Injects
aar-inject-from = from { $from }
aar-inject-due = due
aar-inject-at-its-time = released at its time
aar-inject-by-hand = released by the director
aar-inject-written = written and released by the director
aar-inject-never = never released
aar-inject-expects = Expected: { $expects }
aar-inject-objective = Objective: { $objective }
aar-inject-acknowledged = Acknowledged by: { $list }
aar-inject-not-acknowledged = not acknowledged by: { $list }
aar-stage-tasks = Tasks
aar-stage-no-tasks = No tasks were set.
aar-stage-assessments = Situation assessments: { $list }
aar-stage-positions = Positions of the states
aar-stage-objection = { $slot } v{ $version }: { $state } did not concur: { $reasons }
aar-stage-drafts = Drafts
aar-draft-made = { $category } · drafted by the { $body }
aar-draft-none = No draft was submitted.
aar-draft-comments = Comment resolution: { $slot }
aar-version-heading = { $slot } v{ $version }: { $title }
aar-circulated = Circulated
aar-revision-circulated = Revision circulated
aar-changed = What changed:
aar-no-text = The version carries no text.
aar-positions-on = Positions on v{ $version }: { $groups }

aar-chart-none = No phase has been recorded yet.
aar-chart-label = the phases along exercise time
aar-chart-start = { $day } is { $date }
aar-chart-caption = Each phase along exercise time, marked in the exercise's days and hours{ $start }; a red dashed line is a hold by exercise control, which stops exercise time.
aar-chart-hold = { $phase }: held by exercise control at { $at } for { $wall } s wall time
aar-chart-span = { $phase }: { $from } to { $to }

## Table headers.

aar-column-stage = stage
aar-column-title = title
aar-column-slots = slots
aar-column-adopted = adopted
aar-column-returned = returned
aar-column-no-draft = no draft
aar-column-revised = revised drafts
aar-column-exercise-time = exercise time
aar-column-day = day
aar-column-wall-s = wall (s)
aar-column-what = what
aar-column-node = node
aar-column-name = name
aar-column-role = role
aar-column-played-by = played by
aar-column-took-part = took part
aar-column-assembly = assembly report
aar-column-activation = activation
aar-column-slot = slot
aar-column-body = body
aar-column-versions = versions
aar-column-outcome = outcome
aar-column-state = state
aar-column-answers = answers
aar-column-median = median
aar-column-slowest = slowest
aar-column-median-wall = median wall (ms)
aar-column-version = version
aar-column-comment = comment
aar-column-by = by
aar-column-on = on
aar-column-kind = kind
aar-column-text = text
aar-column-disposition = disposition
aar-column-answer = state's answer
aar-column-status = status
aar-column-decision = decision
aar-column-position = position
aar-column-reasons = reasons or remarks
aar-column-trail = trail

## The traceable package.

aar-package-title = Package { $id } of exercise { $exercise }
aar-package-short = Package { $id }
aar-package-communicated = Communicated { $when }.
aar-package-digest = SHA-256 of its items:
aar-package-item = Stage { $stage }, drafted by the { $body }
aar-package-comments-on = Comments on { $slot }
aar-package-comments = Comments
aar-package-versions = versions
aar-package-trail-comments = comments
aar-written-in-other = Written in another language ({ $language }): as its author wrote it, not translated
aar-scenario-digest = scenario SHA-256
