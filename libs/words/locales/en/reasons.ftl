# Why the coordinator refused a submission: each reader says the reason in its own language. The
# arguments are ids, numbers and tokens (`phase`, `what`, `role`, `body`), never words.

reason-wrong-phase = { $what ->
        [assembly_report] an assembly report
        [control_point_activation] an activation
        [situation_assessment] an assessment
        [draft_decision] a draft
        [position] a position
        [receipt_confirmed] a receipt
        [control] exercise control
       *[other] a submission
    } is not accepted { $phase ->
        [assembly] in assembly
        [deployment] in deployment
        [stage] in stage { $stage }
        [distribution] in distribution
        [concluded] once the exercise has concluded
       *[other] before the exercise starts
    }
reason-stale-window = it was meant for { $meant_phase ->
        [assembly] assembly
        [deployment] deployment
        [stage] stage { $meant_stage }
        [distribution] distribution
        [concluded] the conclusion
       *[other] the time before the start
    }, but { $open_phase ->
        [assembly] assembly
        [deployment] deployment
        [stage] stage { $open_stage }
        [distribution] distribution
        [concluded] the conclusion
       *[other] the time before the start
    } is open now; nothing was changed
reason-not-the-directors-key = exercise control is not signed with the director's key
reason-wrong-exercise = this is exercise { $exercise }
reason-observers-publish-nothing = observers publish nothing
reason-not-its-key = the submission is not signed with { $node }'s key
reason-not-a-participant = { $node } is not a participant of this exercise
reason-declared-absent = { $node } is declared absent in the scenario
reason-recorded-absent = { $node } was recorded absent at assembly
reason-already-reported = { $node } has already reported
reason-only-control-points-activate = only control points activate
reason-token-does-not-match = communications check token does not match
reason-already-active = { $node } is already active
reason-only-states-assess = only states and guests assess the situation
reason-stage-not-open = stage { $stage } is not open; stage { $open } is
reason-assessment-empty = assessment summary is empty
reason-already-assessed = { $node } has already assessed stage { $stage }
reason-new-draft-is-version-1 = a new draft is version 1; a later version is a revision
reason-draft-exists = slot { $slot } already has a draft; revise it
reason-revision-without-draft = a revision without its draft
reason-nothing-to-revise = slot { $slot } has no draft to revise
reason-next-version = the next version of { $slot } is { $version }
reason-only-states-confirm = only states confirm receipt
reason-another-package = receipt names another package or digest
reason-already-confirmed = { $node } has already confirmed receipt
reason-not-a-participants-message = { $what } is not a participant's message
reason-comment-not-open = comment { $comment } is not open on version { $version }
reason-two-dispositions = comment { $comment } has two dispositions
reason-disposition-without-kind = the disposition of { $comment } has no kind
reason-not-accepted-without-reason = comment { $comment } is not accepted without a reason
reason-no-disposition = the revision gives no disposition for { $comments }
reason-unknown-slot = no slot { $slot } in this exercise
reason-slot-of-another-stage = slot { $slot } belongs to stage { $stage }; stage { $open } is open
reason-owned-by = slot { $slot } is owned by the { $body ->
        [joint_staff] Joint Staff
       *[secretariat] Secretariat
    }
reason-body-or-category = drafting body or category does not match slot { $slot }
reason-title-and-text = a draft needs a title and a text
reason-already-considered = slot { $slot } is already considered
reason-gives-no-positions = the { $role ->
        [joint_staff] Joint Staff
        [secretariat] Secretariat
        [observer] observer
        [guest] guest
       *[other] participant
    } gives no positions on drafts
reason-no-draft-open = slot { $slot } has no draft open in stage { $stage }
reason-stale-version = version { $version } of { $slot } is not current; version { $current } is
reason-position-kind-unset = position kind is not set
reason-non-concurrence-needs-reasons = a non-concurrence needs its reasons
reason-already-answered = { $node } has already answered version { $version }
reason-started-already = the exercise has started already
reason-starts-by-itself = this exercise starts by itself, not by the director
reason-no-such-window = the command names no window that can be open
reason-already-paused = already paused
reason-not-paused = not paused
reason-not-a-command = { $what } is not an exercise control command
reason-unreadable = the message cannot be read: { $problem }
reason-wrong-subject = sender { $sender } may not submit on { $subject }
reason-id-used-already = message id { $id } was used already, for another submission of { $sender }'s (event { $event })
text-too-long = { field-name }: { $length } characters, more than the { $limit } accepted
text-control = { field-name }: an invisible control character ({ $shown }) at character { $at }; remove it
# The field a text limit speaks of, named as its form names it.
field-name = { $field ->
        [title] { field-title }
        [text] { field-text }
        [change_summary] { field-what-changed }
        [reason] { field-reason }
        [reasons] { field-reasons }
        [remarks] { field-remarks }
        [summary] { field-assessment }
        [comms_check_token] { field-token }
       *[other] { field-other }
    }

reason-inject-none = the order names no inject
reason-inject-not-released = inject { $inject } has not been released
reason-inject-not-for = inject { $inject } was not sent to { $node }
reason-inject-acknowledged = { $node } has already acknowledged inject { $inject }
reason-inject-unknown = no inject { $inject } is planned
reason-inject-other-stage = inject { $inject } belongs to stage { $stage }; stage { $open } is open
reason-inject-released = inject { $inject } has been released already
reason-inject-id = “{ $inject }” cannot be an inject's id: use at most 64 letters, digits, “-” and “_”
reason-inject-id-taken = there is an inject { $inject } already
reason-inject-written-timed = an inject written during the exercise is released at once: it has no time
reason-inject-empty = an inject needs its text
reason-inject-language = “{ $language }” is not a language tag
reason-inject-seat = { $node } is not a seat an inject can go to
reason-inject-slot = slot { $slot } is not in stage { $stage }
reason-no-start = the message is not a start
reason-plan-invalid = the plan handed over is not a valid scenario ({ $problems } problems)
reason-plan-other-seats = the plan handed over changes who takes part or how their seats are played: issue identities for it and start a new exercise
