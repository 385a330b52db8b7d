# Dates, clocks and counts, shared by every page, report and command.

date = { $day } { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
} { $year } { $time }
date-in-zone = { $date } { $zone }
count-drafts = { $count ->
    [one] { $count } draft
   *[other] { $count } drafts
}
day-clock = day { $day }, { $time }
span-seconds = { $n } s
span-minutes = { $n } min
span-hours = { $n } h
span-days = { $n } d
time-left = { $exercise } left
time-left-scaled = { $exercise } left in exercise time: about { $real } in real time (the exercise runs { $pace })
time-left-paused = { $exercise } left in exercise time ({ $real } in real time once resumed; the clock stands while paused)
pace-faster = { $times }× faster
pace-slower = { $times }× slower

# Where an exercise stands, and what it awaits.
phase-not-started = not started
phase-assembly = assembly
phase-deployment = deployment
phase-stage = stage { $stage }
phase-distribution = distribution
phase-concluded = concluded
task-assembly-report = assembly report
task-activation = activation and communications check
task-draft = draft for { $slot }
task-position = position on { $slot } v{ $version }
task-revision = revision of { $slot } v{ $version }
task-receipt = receipt of the package

## What a seat played by its policy writes, in the scenario's language.
policy-assembled = { $name }: the operational group has assembled
policy-activated = Control point active; communications checked
policy-assessed = { $name }: the situation in the { $region } is assessed; the operational group reports
policy-objects = { $name } objects to the decision in substance
policy-asks-contribution = { $name } asks that the draft set out the national contribution and its financing
policy-stands-aside = { $name } is not interested in the matter and stands aside
policy-amended = the text is amended accordingly
policy-noted = taken note of
policy-change-summary = answers the non-concurrence of { $objectors }: { $reasons }
policy-draft = Draft decision of the Collective Security Council "{ $title }", prepared by { $body } in stage { $stage }. The Council decides to approve the proposals annexed hereto and instructs the Joint Staff and the Secretariat to ensure their implementation.
policy-revision = Version { $version }: amended to take account of the remarks of { $objector } ({ $reasons }).

## How the language writes a decimal.
decimal-separator = .
