# Отчёт о проведении учения и пакет документов с историей (крейт `report`).

## Счёт.

count-events = { $count ->
    [one] { $count } событие
    [few] { $count } события
    [many] { $count } событий
   *[other] { $count } события
}
count-revisions = { $count ->
    [one] { $count } доработка
    [few] { $count } доработки
    [many] { $count } доработок
   *[other] { $count } доработки
}
count-positions = { $count ->
    [one] { $count } позиция
    [few] { $count } позиции
    [many] { $count } позиций
   *[other] { $count } позиции
}

## Слова организации: роли и порядок решений. Позиции, итоги, категории и учёт замечаний — общие
## с консолью (`console.ftl`) и берутся оттуда.

role-coordinator = руководство учения
role-joint-staff = Объединённый штаб
role-secretariat = Секретариат
role-control-point = национальный пункт управления
role-observer = наблюдатель
role-guest = приглашённый участник
role-participant = участник
rule-consensus = консенсус присутствующих государств
rule-silence = процедура умолчания
aar-not-considered = не рассмотрен
aar-position-unstated = не указана
aar-no-position = нет позиции
aar-version-short = ред. { $version }

## Почему вопрос решён так (рассмотрение руководством учения, по записанному им).

reason-no-draft = проект не представлен
reason-not-concurred = консенсус не достигнут, не согласны: { $states }
reason-no-position = консенсус не достигнут, позиция не представлена: { $states }
reason-none-concurred = консенсус не достигнут: ни одно государство не выразило согласия
reason-consensus = консенсус присутствующих государств
reason-objection = возражение: { $states }
reason-silence = к установленному сроку возражений не поступило (процедура умолчания)

## Что произошло: хронология (и ход учения в `muster run`).

event-notified = участники оповещены; начат сбор
event-assembly-closed = сбор завершён: доложили о прибытии { $assembled }, отсутствуют: { $absent }
event-deployment-ordered = отдано распоряжение о развёртывании; пункты управления развёртываются
event-stage-opened = начат этап { $stage }: { $title }
event-stage-considered = этап { $stage } рассмотрен: { $adopted ->
    [one] принят
   *[other] принято
} { $adopted } из { $considered }
event-package-communicated = { $count ->
    [one] государствам направлен пакет из { $count } проекта
   *[other] государствам направлен пакет из { $count } проектов
}
event-paused = учение приостановлено руководством учения: { $reason }
event-resumed = учение возобновлено руководством учения: { $reason }
event-inject-released = выдана вводная { $inject }
event-advanced = текущий период досрочно завершён руководством учения: { $reason }
event-exercise-concluded = { $count ->
    [one] учение завершено: { $count } подтверждение получения
    [few] учение завершено: { $count } подтверждения получения
    [many] учение завершено: { $count } подтверждений получения
   *[other] учение завершено: { $count } подтверждения получения
}
event-record-complete = запись учения завершена

## Отчёт.

aar-title = Отчёт о проведении учения: { $title }
aar-exercise = Учение
aar-started = начало { $date }
aar-rule = порядок принятия решений: { $rule }
aar-time = { $span } времени учения за { $wall } с реального времени (масштаб времени { $scale }×)
aar-concluded = Завершено
aar-not-concluded = Не завершено
aar-considered = { $count ->
    [one] рассмотрен { $count } вопрос
    [few] рассмотрено { $count } вопроса
    [many] рассмотрено { $count } вопросов
   *[other] рассмотрено { $count } вопроса
}: принято { $adopted }, возвращено { $returned }, без проекта { $nodraft }
aar-summary = Сводка
aar-timeline = Хронология
aar-participants = Участники
aar-absent = Отсутствуют
aar-absent-why = (объявлены отсутствующими или не доложили о прибытии к завершению сбора): { $list }
aar-answer-times = Время ответов государств
aar-answer-times-why = Время учения от запроса (оповещения, распоряжения о развёртывании, начала этапа, рассылки редакции проекта, направления пакета) до ответа, без учёта приостановок; рядом — реальное время.
aar-package = Направленный пакет
aar-no-package = Пакет не направлялся.
aar-package-sent = Пакет
aar-package-at = направлен
aar-receipts = Получение подтвердили: { $list }
aar-person = человек
aar-automated = автоматически
aar-remote = дистанционно, через национальный узел
aar-after = через { $span }

aar-stage-heading = Этап { $stage }: { $title }
aar-stage-region = Регион: { $region }
aar-stage-opened = Начат
aar-stage-never-opened = Не начинался
aar-stage-deadline = срок
aar-stage-situation = Обстановка
aar-stage-no-situation = Обстановка не задана.
aar-stage-injects = Вводные
aar-inject-from = от имени: { $from }
aar-inject-due = срок выдачи
aar-inject-at-its-time = выдана в срок
aar-inject-by-hand = выдана руководителем учения
aar-inject-written = составлена и выдана руководителем учения
aar-inject-never = не выдавалась
aar-inject-expects = Ожидаемые действия: { $expects }
aar-inject-objective = Учебная цель: { $objective }
aar-inject-acknowledged = Получение подтвердили: { $list }
aar-inject-not-acknowledged = не подтвердили: { $list }
aar-stage-tasks = Задачи
aar-stage-no-tasks = Задачи не поставлены.
aar-stage-assessments = Оценки обстановки: { $list }
aar-stage-positions = Позиции государств
aar-stage-objection = { $slot }, ред. { $version }: { $state } — несогласие: { $reasons }
aar-stage-drafts = Проекты решений
aar-draft-made = { $category } · разработчик: { $body }
aar-draft-none = Проект не представлен.
aar-draft-comments = Учёт замечаний: { $slot }
aar-version-heading = { $slot }, редакция { $version }: { $title }
aar-circulated = Разослана
aar-revision-circulated = Доработанная редакция разослана
aar-changed = Что изменено:
aar-no-text = Текст редакции отсутствует.
aar-positions-on = Позиции по редакции { $version }: { $groups }

aar-chart-none = Фазы учения ещё не записаны.
aar-chart-label = фазы учения во времени учения
aar-chart-start = { $day } — это { $date }
aar-chart-caption = Фазы учения во времени учения, в днях и часах учения{ $start }; красная пунктирная линия — приостановка руководством учения, при которой время учения не идёт.
aar-chart-hold = { $phase }: приостановлено руководством учения { $at } на { $wall } с реального времени
aar-chart-span = { $phase }: с { $from } по { $to }

## Заголовки таблиц.

aar-column-stage = этап
aar-column-title = наименование
aar-column-slots = вопросов
aar-column-adopted = принято
aar-column-returned = возвращено
aar-column-no-draft = без проекта
aar-column-revised = доработанных проектов
aar-column-exercise-time = время учения
aar-column-day = день
aar-column-wall-s = реальное время (с)
aar-column-what = событие
aar-column-node = код
aar-column-name = наименование
aar-column-role = роль
aar-column-played-by = исполнитель
aar-column-took-part = участие
aar-column-assembly = доклад о прибытии
aar-column-activation = развёртывание
aar-column-slot = вопрос
aar-column-body = разработчик
aar-column-versions = редакций
aar-column-outcome = итог
aar-column-state = государство
aar-column-answers = ответов
aar-column-median = медиана
aar-column-slowest = наибольшее
aar-column-median-wall = медиана реального времени (мс)
aar-column-version = редакция
aar-column-comment = замечание
aar-column-by = кем
aar-column-on = к редакции
aar-column-kind = вид
aar-column-text = текст
aar-column-disposition = учёт
aar-column-answer = ответ государства
aar-column-status = состояние
aar-column-decision = решение
aar-column-position = позиция
aar-column-reasons = причины или замечания
aar-column-trail = история

## Пакет документов с историей.

aar-package-title = Пакет { $id } учения { $exercise }
aar-package-short = Пакет { $id }
aar-package-communicated = Направлен { $when }.
aar-package-digest = SHA-256 состава пакета:
aar-package-item = Этап { $stage }, разработчик: { $body }
aar-package-comments-on = Замечания к { $slot }
aar-package-comments = Замечания
aar-package-versions = редакции
aar-package-trail-comments = замечания
aar-written-in-other = Написано на другом языке ({ $language }): как написал автор, без перевода
aar-scenario-digest = SHA-256 сценария
