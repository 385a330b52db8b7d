# Даты, время и счёт: общие для всех страниц, отчётов и команд.

date = { $day } { $month ->
    [1] января
    [2] февраля
    [3] марта
    [4] апреля
    [5] мая
    [6] июня
    [7] июля
    [8] августа
    [9] сентября
    [10] октября
    [11] ноября
   *[12] декабря
} { $year } г., { $time }
date-in-zone = { $date } ({ $zone ->
    [MSK] МСК
   *[other] { $zone }
})
count-drafts = { $count ->
    [one] { $count } проект
    [few] { $count } проекта
    [many] { $count } проектов
   *[other] { $count } проекта
}
day-clock = день { $day }, { $time }
span-seconds = { $n } с
span-minutes = { $n } мин
span-hours = { $n } ч
span-days = { $n } сут
time-left = осталось { $exercise }
time-left-scaled = осталось { $exercise } времени учения: около { $real } реального времени (учение идёт { $pace })
time-left-paused = осталось { $exercise } времени учения ({ $real } реального времени после возобновления; пока учение приостановлено, часы стоят)
pace-faster = { $times ->
    [one] в { $times } раз
    [few] в { $times } раза
    [many] в { $times } раз
   *[other] в { $times } раза
} быстрее
pace-slower = { $times ->
    [one] в { $times } раз
    [few] в { $times } раза
    [many] в { $times } раз
   *[other] в { $times } раза
} медленнее

# Ход учения и что от кого ожидается.
phase-not-started = не начато
phase-assembly = сбор
phase-deployment = развёртывание
phase-stage = этап { $stage }
phase-distribution = рассылка
phase-concluded = завершено
task-assembly-report = доклад о прибытии
task-activation = развёртывание пункта управления и проверка связи
task-draft = проект по { $slot }
task-position = позиция по { $slot }, редакция { $version }
task-revision = доработка { $slot }, редакция { $version }
task-receipt = подтверждение получения пакета

## Что пишет место, которое ведёт политика сценария, на языке сценария.
policy-assembled = { $name }: оперативная группа прибыла
policy-activated = Пункт управления развёрнут; связь проверена
policy-assessed = { $name }: оперативная группа оценила обстановку ({ $region })
policy-objects = { $name }: возражаем против решения по существу
policy-asks-contribution = { $name }: просим изложить в проекте национальный вклад и порядок его финансирования
policy-stands-aside = { $name }: вопрос не затрагивает наших интересов; воздерживаемся
policy-amended = текст изменён с учётом замечания
policy-noted = принято к сведению
policy-change-summary = учтено несогласие { $objectors }: { $reasons }
policy-draft = Проект решения Совета коллективной безопасности ОДКБ «{ $title }» (этап { $stage }; разработчик — { $body }). Совет коллективной безопасности решил одобрить прилагаемые предложения и поручить Объединённому штабу ОДКБ и Секретариату ОДКБ обеспечить их реализацию.
policy-revision = Редакция { $version }: текст изменён с учётом замечаний { $objector } ({ $reasons }).

## How the language writes a decimal.
decimal-separator = ,
