# The console: every word of its pages, forms and refusals.

## The frame
language-name = English
skip-to-content = Skip to the content
link-lost = Live updates lost.
link-lost-why = This page is not being refreshed; reconnecting…
nav-label = Console
nav-my-seat = My seat
nav-report = Report
nav-every-exercise = Every exercise
sign-out = Sign out
signed-in-as = Signed in as
exercise = exercise
exercise-not-started = exercise not started
back-to-your-seat = Back to your seat
back-or-sign-in = (or to the sign-in page, if this browser has no seat)

## Where the exercise stands
status-label = Where the exercise stands
status-stage = Stage { $stage } of { $stages }: { $title }
status-not-started = Not started: waiting for the director
exercise-time = Exercise time:
window-closes = This window closes
awaited-of-you = Awaited of you
awaited-of-you-nothing = Nothing is awaited of you now.
by = by
paused-badge = PAUSED
situation-heading = The situation, stage { $stage }
region = Region:
tasks-of-the-stage = Tasks of the stage
timeline = Timeline
nothing-yet = Nothing yet.
event-feed = Event feed
i-confirm = I confirm:
closes = Closes

## Assembly and activation
assembly = Assembly
remarks = Remarks
assembled = { $name } assembled
report-at-assembly = Report at assembly
token-received = Communications-check token received with the acceptance of your assembly report:
token-awaited = Your communications-check token comes with the acceptance of your assembly report; the seat asks for it again if it was lost.
activation-remarks = control point active; communications checked
activate = Activate the control point
assessment-heading = Situation assessment, stage { $stage }
assessment-label = Your assessment of the situation above
submit-assessment = Submit the assessment

## Exercise control
exercise-control = Exercise control
scenario = Scenario:
readiness = Who is at their post
readiness-unknown = This console does not know the scenario's seats.
readiness-count = { $ready } of { $seats } seats ready.
seat = Seat
played-by = Played by
ready = Ready
played-by-person = a person
played-by-policy = its policy
at-headquarters = at headquarters
at-its-national-node = at its national node
seat-signed-in = signed in since { $since }
seat-running = running
seat-empty = no one signed in
seat-unheard = not connected
declared-absent = declared absent
why-start = Why start now
confirm-start = start the exercise now; its clock starts
start-although = Start although { $count ->
    [one] { $count } seat is
   *[other] { $count } seats are
} not taken: { $seats }
start-the-exercise = Start the exercise
concluded = The exercise has concluded.
read-the-report = Read the report.
why-resume = Why resume
confirm-resume = resume the exercise in { $window }; its clock runs again
resume = Resume
why-pause = Why pause
confirm-pause = pause the exercise in { $window }; no window closes while it is paused
pause = Pause
close-now = Close { $window } now
close-now-explained = Closes { $window } at once, as if its deadline had passed: what has not come in by then is recorded as missing. This cannot be undone. If another window has opened by the time this arrives, nothing is closed.
why-close = Why close { $window } now
confirm-close = close { $window } now, as if its deadline had passed; this cannot be undone
awaited-in-window = Awaited in this window
awaited-nothing = Nothing: the window may close.
awaited = Awaited
states = States
state = State
present = Present
answered-due = Answered / due
awaited-now = Awaited now
absent = absent
present-yes = present
not-reported = not reported
owes-nothing = nothing
owes-late = late: { $count }
owes = { $count } awaited

## Drafts, positions, comments
board = Drafts and positions
board-no-stage = No stage has opened yet.
board-caption = Each state's position on the latest version of each draft (✓ concur, ✗ non-concur, − abstain, … awaited, ○ silent); a position with reasons is marked ¶
draft = Draft
outcome = Outcome
no-draft-yet = no draft yet
no-draft = No draft.
with-reasons = with reasons or remarks
silent = silent
awaited-one = awaited
open = open
version = Version { $version }
version-and-positions = Version { $version } and the positions on it
what-changed = What changed
what-changed-since = What changed since v{ $version }
positions-on-version = Positions on version { $version }
position = Position
reasons-or-remarks = Reasons or remarks
comment-resolution-of = Comment resolution of { $slot }
comment = Comment
by-on = By, on
text = Text
title = Title
disposition = Disposition
the-states-answer = The state's answer
status = Status
objection = objection
remark = remark
not-yet-revised = not yet revised
none = none
no-answer-yet = no answer yet
comment-open = open
comment-closed = closed
comment-objection = { $state } did not concur on v{ $version }
comment-remark = { $state } remarked on v{ $version }
choose = choose
say-why = say why
reason = Reason
submit-draft = Submit draft { $slot }
revise-to-version = Revise to version { $version }
submit-revision = Submit the revision of { $slot }
drafts-awaiting-position = Drafts awaiting your position
none-now = None now.
your-position-on = Your position on { $slot } v{ $version }
reasons-one-per-line = Reasons or remarks (one per line)
give-position = Give the position on { $slot } v{ $version }
kind-concur = Concur
kind-concur-with-remarks = Concur with remarks
kind-non-concur = Non-concur (give reasons)
kind-abstain = Abstain
position-concur = concur
position-concur-with-remarks = concur with remarks
position-non-concur = non-concur
position-abstain = abstain
outcome-adopted = adopted
outcome-returned = returned
outcome-no-draft = no draft
diff-deleted = deleted
diff-inserted = inserted
positions-you-gave = Positions you gave
none-yet = None yet.
your-comments = How your comments were dealt with
your-comments-none = You have made no comment.
the-package = The package
package = Package
sha-digest = SHA-256 digest
confirm-receipt = Confirm receipt of package { $package }
receipt-confirmed = Receipt confirmed.
category-troop-components = troop components
category-financial-support = financial support
category-military-technical-assistance = military-technical assistance
disposition-accepted = accepted
disposition-accepted-in-part = accepted in part
disposition-not-accepted = not accepted
disposition-noted = noted

## Other pages
take-your-seat = Take your seat
invite-explained = This link seats you as { $name } ({ $seat }) in exercise { $exercise }. It works once.
take-the-seat-of = Take the seat of { $name }
sign-in = Sign in
not-signed-in = You are not signed in. Open the invite link you were given for your seat; it signs you in on this browser.
lost-invite = Lost it? The exercise's operator issues a new one with
exercises-on-server = Exercises on this server
yours = yours
report-title = After-action report · { $exercise }
report-so-far = The exercise has not concluded: this is the record so far.
download = Download:
or-print = or print this page for a paper copy.

## What became of a form
accepted = Accepted: { $what }.
accepted-already = It was already recorded.
accepted-recorded = Recorded as event { $event } (the coordinator's receipt).
sent-unanswered = Sent: { $what } is on its way; the coordinator has not answered yet.
not-confirmed-yet = Not confirmed yet: { $what }: { $why }. The seat keeps sending it; do not send it again.
not-sent = Not sent: { $why }. What you typed is kept in the form; correct it and send it again.
not-accepted = Not accepted: { $what }. { $wrong }: { $reason }. { $todo }.
typed-kept = What you typed is kept in the form.
bus-unreachable = the bus is not reachable now; the seat keeps trying to submit it
seats-not-taken = { $count ->
    [one] one seat is
   *[other] some seats are
} not taken ({ $seats }); to start all the same, tick the box that says so
text-too-long = { $field ->
        [title] { field-title }
        [text] { field-text }
        [change_summary] { field-what-changed }
        [reason] { field-reason }
        [reasons] { field-reasons }
        [remarks] { field-remarks }
        [summary] { field-assessment }
        [comms_check_token] { field-token }
       *[other] { field-other }
    }: { $length } characters, more than the { $limit } accepted
text-control = { $field ->
        [title] { field-title }
        [text] { field-text }
        [change_summary] { field-what-changed }
        [reason] { field-reason }
        [reasons] { field-reasons }
        [remarks] { field-remarks }
        [summary] { field-assessment }
        [comms_check_token] { field-token }
       *[other] { field-other }
    }: an invisible control character ({ $shown }) at character { $at }; remove it
what-draft = draft { $slot } (version { $version })
what-revision = the revision of { $slot } to version { $version }
what-position = your position on { $slot } version { $version } ({ $position })
what-assessment = the situation assessment of stage { $stage }
what-activation = the activation and communications check
what-assembly-report = the assembly report
what-receipt = the confirmation of receipt
what-start = the start of the exercise
what-pause = the pause of { $window }
what-resume = the resumption of { $window }
what-advance = the early close of { $window }
the-current-window = the current window
form-not-a-number = the form's { $what } is not a number
form-not-confirmed = it was not confirmed: tick the confirmation box
form-not-started = the exercise has not started
form-no-such-draft = there is no draft { $what } in this exercise
form-no-such-disposition = “{ $what }” is not a disposition
form-no-such-position = “{ $what }” is not a position: choose concur, concur with remarks, non-concur or abstain
form-no-window = the form names no window
form-no-such-act = “{ $what }” is not something a seat does
form-no-id = it could not be given a message id ({ $what })
field-title = the title
field-text = the text
field-what-changed = “what changed”
field-reason = the reason
field-reasons = the reasons or remarks (together)
field-remarks = the remarks
field-assessment = the assessment
field-token = the communications-check token
field-other = a field
refused-stale-window = The exercise moved on before it arrived
do-stale-window = Look at the page again and decide on the window open now
refused-wrong-phase = It cannot be done at this point of the exercise
do-wrong-phase = See above what is awaited of you now
refused-unknown-slot = That draft is not open in the current stage
do-unknown-slot = See above which drafts are open now
refused-stale-version = A newer version of the draft came in meanwhile
do-stale-version = Read the newer version above and give your position on it
refused-not-a-participant = Your seat no longer takes part (it was recorded absent)
refused-not-permitted = Your seat may not do this
do-ask-control = Speak to exercise control
refused-too-large = It is too large to send
do-shorten = Shorten the text and send it again
refused-invalid-content = Something in it cannot be accepted
do-correct = Correct it and send it again
refused-bad-signature = Its signature was not accepted
do-check-key = Ask the exercise's operator to check this seat's key
refused-unresolved-comment = Every objection needs a disposition
do-dispose = Choose a disposition for each objection and send the revision again
refused-unreadable = It could not be read
do-send-again = Send it again; if it is refused again, tell the exercise's operator

## Refusal pages
refused = Refused
refused-cross-site = Refused: { $why }.
no-such-seat = This console hosts no such seat in that exercise.
sign-in-form-invalid = The sign-in form names no valid exercise and seat.
invite-refused = Invite refused
invite-refused-why = Refused: { $why }. Ask the exercise's operator for a new link.
cross-site-fetch = a form post from another site (Sec-Fetch-Site: { $site })
cross-site-origin = a form post from another origin ({ $origin }, this is { $host })
invite-used = this invite link has been used already, or was never issued for this seat
invite-wrong = this invite link is not valid for this seat
invite-store = the console could not read its invites
no-session = No session could be opened; try again.
not-an-exercise-id = That is not an exercise id.
seat-in-another-exercise = Your seat is in another exercise.
cannot-follow-others = This console cannot follow other exercises.
no-such-draft = There is no such draft in this exercise (yet).
no-such-page = No such page.
exercises-are-the-directors = The list of exercises is the director's.
only-as-your-seat = You are signed in as { $seat } in { $exercise }; you may act only as that seat.
control-is-the-directors = Exercise control is the director's.
director-controls-only = The director submits exercise control only.
seat-reads-only = This seat reads only; it submits nothing.

## The feed
feed-notified = exercise notified: { $title }
feed-listed = { $count } more participants listed
feed-phase = phase: { $phase }
feed-phase-paused = phase: { $phase } (paused)
feed-reported = { $who } reported at assembly
feed-assembly-closed = assembly closed: { $count } reported; absent: { $absent }
feed-deployment-ordered = deployment ordered: control points activate
feed-activated = { $who } activated its control point
feed-stage-opened = stage { $stage } opened: { $title }
feed-assessed = { $who } assessed the situation of stage { $stage }
feed-drafted = { $who } submitted { $slot } v{ $version }: { $title }
feed-revised = { $who } revised { $slot } to v{ $version }: { $summary }
feed-revised-something = { $who } revised a draft
feed-position = { $who } on { $slot } v{ $version }: { $position }
feed-stage-concluded = stage { $stage } concluded: { $outcomes }
feed-package = package of { $count } drafts communicated (digest { $digest })
feed-receipt = { $who } confirmed receipt of the package
feed-concluded = exercise concluded: { $adopted } adopted, { $returned } returned
feed-paused = paused by the director: { $reason }
feed-resumed = resumed by the director: { $reason }
feed-advanced = window closed early by the director: { $reason }
feed-started = started by the director: { $reason }
characters = characters

not-in-your-language = Not given in your language: shown as written ({ $language })
