# The `muster` command's own words: `run`'s progress and summary, `status`, `package`, `scenario validate`.

## muster status

cli-status-not-started = exercise { $exercise }: not started ({ $events })
cli-status-exercise = exercise { $exercise }: { $phase }
cli-status-stage = stage { $stage } of { $stages }: { $title }
cli-status-paused = (paused)
cli-status-scenario = scenario: { $title }
cli-status-time = exercise time: { $at }
cli-status-deadline = window closes { $at }, { $left }
cli-status-counts = events: { $events }; drafts: { $drafts }; slots considered: { $considered }; absent: { $absent }
cli-status-injects = injects:
cli-status-inject-released = { $inject }: released { $at }; acknowledged by { $acknowledged } of { $recipients } (awaited: { $waiting })
cli-status-inject-due = { $inject }: due { $at }
cli-status-inject-held = { $inject }: held for the director (muster inject { $inject })
cli-status-awaited-nothing = awaited: nothing
cli-status-awaited = awaited ({ $count }):

## muster run: progress, one line per milestone

progress-notified = { $count ->
    [one] assembly: { $count } participant notified
   *[other] assembly: { $count } participants notified
}
progress-assembled = assembly: reported { $reported } of { $expected }
progress-silent = silent, recorded absent: { $absent }
progress-deployed = deployment: control points active and comms checked { $active } of { $present }
progress-stage-opened = stage { $stage }: opened: { $title }
progress-stage = stage { $stage }: drafts in { $drafts }/{ $slots }, positions in { $positions }/{ $expected }, non-concurrences { $objections }, revisions { $revisions }
progress-considered = stage { $stage }: considered { $count ->
    [one] { $count } slot
   *[other] { $count } slots
}: adopted { $adopted }, returned { $returned }, no draft { $nodraft } (drafts { $drafts }, positions { $positions }, non-concurrences { $objections }, revisions { $revisions })
progress-package = distribution: package of { $items ->
    [one] { $items } draft
   *[other] { $items } drafts
} communicated to { $states ->
    [one] { $states } state
   *[other] { $states } states
}
progress-receipts = distribution: receipts { $receipts } of { $present }
progress-concluded = concluded

## muster run: what it starts, and where things are

run-scenario = scenario: { $title } ({ $file })
run-exercise = exercise: { $exercise } ({ $mode ->
    [fast] fast
   *[other] scaled
} mode, time scale { $scale }x)
identities-written = wrote { $keys } nkeys (<name>.nk), certificates and { $auth } to { $dir }
identities-valid = certificates valid until { $until } (the authority, ca.pem, until { $authority }); `muster identities --renew` issues them again
identities-links-kept = invite links: unchanged (those handed out still work)
identities-links = invite links, one per seat, each works once (a remote seat's on its national node's console):
identities-remote-console = <its national node's console>
run-identities = identities: { $dir } (each seat's and service's nkey as <name>.nk; the NATS server admits these only, as { $auth } says)
run-nats = nats: { $url } (pid { $pid }, store { $store })
run-nats-plain = nats: plain connections, on this machine's loopback only (--tls encrypts them)
run-nats-tls = nats: TLS only, the server's certificate verified against { $ca }
run-gateway = gateway: { $url } (mutual TLS; health and reflection also on { $probe }); certificates in { $certs }
run-person-seat = seat { $node } ({ $name }) is played by a person: nothing acts for it unless its person does
run-started = started { $name } (pid { $pid })
run-console = console: { $url } (the director, and the seats people take at the headquarters)
run-links = sign-in links, one per seat, each works once:
run-planner = Planner (prepares the plan, hands it to the director)
run-director = Director (exercise control)
run-start-hint = the exercise starts when the director presses Start; Ctrl-C stops everything
run-console-report = the exercise concluded; the report is at { $url }; Ctrl-C stops the consoles
run-report = report: { $report } (report.html and report.json beside it); logs in { $logs }
run-receipts = receipts: every seat's in { $dir }
run-done = done in { $seconds } s

## muster package

cli-package-written = { $exercise }: package { $id } ({ $count ->
    [one] { $count } decision
   *[other] { $count } decisions
}, digest { $digest } as recorded) written to { $dir }

## muster scenario validate

summary-valid = { $file }: valid
summary-digest = SHA-256: { $digest }
summary-injects = { $count ->
    [one] { $count } inject
   *[other] { $count } injects
}, { $by_hand } released by hand
summary-languages = Texts in: { $languages }
summary-untranslated = { $count ->
    [one] { $count } text is not given in every language (its readers see the scenario's own language, marked):
   *[other] { $count } texts are not given in every language (their readers see the scenario's own language, marked):
}
summary-counts = { $stages ->
    [one] { $stages } stage
   *[other] { $stages } stages
}, { $slots ->
    [one] { $slots } slot
   *[other] { $slots } slots
}
summary-stage = stage { $stage }: { $title } — { $slots ->
    [one] { $slots } slot
   *[other] { $slots } slots
} ({ $categories })
summary-category = { $count } { $category }
summary-participants = { $count ->
    [one] { $count } participant
   *[other] { $count } participants
}
summary-role = { $count } { $role }: { $members }
summary-member-states = member states
summary-joint-staff = joint staff
summary-secretariat = secretariat
summary-observers = observers
summary-guests = guest participants
summary-absent = { $node } (absent)
summary-rule = decision rule: { $rule }; time scale: { $scale }x

cli-control-reason = { $command ->
        [start] started by the director
        [pause] held by the director
        [resume] resumed by the director
       *[advance] advanced by the director
    }
cli-control-what = { $command ->
        [start] start
        [pause] pause
        [resume] resume
       *[advance] advance
    }
cli-control-what-window = { $what } of { $window }
cli-inject-what = the release of inject { $inject }
cli-control-accepted = { $exercise }: { $what } accepted
cli-control-refused = { $what } refused: { $why }
cli-control-unanswered = { $what }: no answer from the coordinator within 10 s
cli-plan-exported = { $file }: { $stages } stages, { $injects } injects, from { $from }
cli-plan-imported = { $file }: { $stages } stages, { $participants } participants, { $injects } injects, from { $from }; SHA-256 { $digest }
cli-plan-problems = { $file }: { $count ->
    [one] one problem found
   *[other] { $count } problems found
}
cli-plan-write-what = { $file }: write a workbook (.xlsx) or an MSEL (.csv)
cli-plan-read-what = { $file }: read a workbook (.xlsx) or an MSEL (.csv)
cli-plan-msel-needs-scenario = { $file }: an MSEL goes into a scenario: give --scenario FILE
cli-plan-not-text = { $file }: not UTF-8 text
