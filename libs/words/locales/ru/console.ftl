# Консоль: все слова её страниц, форм и отказов.

## Рамка страницы
language-name = Русский
skip-to-content = Перейти к содержанию
link-lost = Обновление прервано.
link-lost-why = Страница не обновляется; идёт повторное подключение…
nav-label = Консоль
nav-my-seat = Моё место
nav-report = Отчёт
nav-every-exercise = Все учения
sign-out = Выйти
signed-in-as = Вы вошли как
exercise = учение
exercise-not-started = учение не начато
back-to-your-seat = Вернуться на своё место
back-or-sign-in = (или на страницу входа, если в этом браузере вы не занимали место)

## Ход учения
status-label = Ход учения
status-stage = Этап { $stage } из { $stages }: { $title }
status-not-started = Не начато: ожидается решение руководителя учения
exercise-time = Время учения:
window-closes = Срок истекает
awaited-of-you = От вас ожидается
awaited-of-you-nothing = Сейчас от вас ничего не ожидается.
by = до
paused-badge = ПРИОСТАНОВЛЕНО
situation-heading = Обстановка, этап { $stage }
region = Регион:
tasks-of-the-stage = Задачи этапа
timeline = Хронология
nothing-yet = Пока ничего.
event-feed = Лента событий
i-confirm = Подтверждаю:
closes = Срок

## Сбор и развёртывание
assembly = Сбор
remarks = Примечания
assembled = { $name }: прибыли
report-at-assembly = Доложить о прибытии
token-received = Код проверки связи, полученный вместе с подтверждением доклада о прибытии:
token-awaited = Код проверки связи придёт вместе с подтверждением доклада о прибытии; если он потерян, место запросит его повторно.
activation-remarks = пункт управления развёрнут; связь проверена
activate = Развернуть пункт управления
assessment-heading = Оценка обстановки, этап { $stage }
assessment-label = Ваша оценка изложенной выше обстановки
submit-assessment = Направить оценку

## Руководство учением
exercise-control = Управление учением
scenario = Сценарий:
readiness = Кто на местах
readiness-unknown = Этой консоли неизвестны места сценария.
readiness-count = Готовы к работе: { $ready } из { $seats }.
seat = Место
played-by = Кто действует
ready = Готовность
played-by-person = должностное лицо
played-by-policy = по сценарию
at-headquarters = в штабе
at-its-national-node = на своём национальном узле
seat-signed-in = вход выполнен в { $since }
seat-running = работает
seat-empty = никто не вошёл
seat-unheard = нет связи
declared-absent = отсутствует по сценарию
why-start = Основание для начала
confirm-start = начать учение сейчас; время учения пойдёт
start-although = Начать, хотя { $count ->
    [one] не занято { $count } место
    [few] не заняты { $count } места
   *[other] не заняты { $count } мест
}: { $seats }
start-the-exercise = Начать учение
concluded = Учение завершено.
read-the-report = Открыть отчёт.
why-resume = Основание для возобновления
confirm-resume = возобновить учение ({ $window }); время учения пойдёт снова
resume = Возобновить
why-pause = Основание для приостановки
confirm-pause = приостановить учение ({ $window }); пока оно приостановлено, сроки не истекают
pause = Приостановить
close-now = Досрочно завершить период «{ $window }»
close-now-explained = Завершает период «{ $window }» немедленно, как если бы срок истёк: всё, что не поступило, будет записано как непоступившее. Отменить это нельзя. Если к моменту поступления команды начнётся другой период, ничего не будет завершено.
why-close = Основание для досрочного завершения периода «{ $window }»
confirm-close = досрочно завершить период «{ $window }», как если бы срок истёк; отменить это нельзя
awaited-in-window = Ожидается в текущем периоде
awaited-nothing = Ничего: период может быть завершён.
awaited = Ожидается
states = Государства
state = Государство
present = Присутствие
answered-due = Ответов: дано / требуется
awaited-now = Ожидается сейчас
absent = отсутствует
present-yes = присутствует
not-reported = не доложило
owes-nothing = ничего
owes-late = просрочено: { $count }
owes = ожидается: { $count }

## Проекты, позиции, замечания
board = Проекты и позиции
board-no-stage = Ни один этап ещё не начался.
board-caption = Позиция каждого государства по последней редакции каждого проекта (✓ согласен, ✗ не согласен, − воздерживается, … ожидается, ○ не ответило); позиция с обоснованием отмечена знаком ¶
draft = Проект
outcome = Итог
no-draft-yet = проекта пока нет
no-draft = Проекта нет.
with-reasons = с обоснованием или замечаниями
silent = не ответило
awaited-one = ожидается
open = рассматривается
version = Редакция { $version }
version-and-positions = Редакция { $version } и позиции по ней
what-changed = Что изменено
what-changed-since = Что изменено по сравнению с редакцией { $version }
positions-on-version = Позиции по редакции { $version }
position = Позиция
reasons-or-remarks = Обоснование или замечания
comment-resolution-of = Учёт замечаний по { $slot }
comment = Замечание
by-on = Чьё, к какой редакции
text = Текст
title = Название
disposition = Решение по замечанию
the-states-answer = Ответ государства
status = Состояние
objection = возражение
remark = замечание
not-yet-revised = проект ещё не доработан
none = нет
no-answer-yet = ответа пока нет
comment-open = не снято
comment-closed = снято
comment-objection = { $state }: несогласие с редакцией { $version }
comment-remark = { $state }: замечание к редакции { $version }
choose = выберите
say-why = укажите причину
reason = Причина
submit-draft = Направить проект { $slot }
revise-to-version = Доработать до редакции { $version }
submit-revision = Направить доработанный проект { $slot }
drafts-awaiting-position = Проекты, по которым ожидается ваша позиция
none-now = Сейчас таких нет.
your-position-on = Ваша позиция по { $slot }, редакция { $version }
reasons-one-per-line = Обоснование или замечания (по одному в строке)
give-position = Направить позицию по { $slot }, редакция { $version }
kind-concur = Согласен
kind-concur-with-remarks = Согласен с замечаниями
kind-non-concur = Не согласен (укажите обоснование)
kind-abstain = Воздерживаюсь
position-concur = согласен
position-concur-with-remarks = согласен с замечаниями
position-non-concur = не согласен
position-abstain = воздерживается
outcome-adopted = принят
outcome-returned = возвращён на доработку
outcome-no-draft = нет проекта
diff-deleted = удалено
diff-inserted = добавлено
positions-you-gave = Ваши позиции
none-yet = Пока нет.
your-comments = Как учтены ваши замечания
your-comments-none = Вы не делали замечаний.
the-package = Пакет документов
package = Пакет
sha-digest = контрольная сумма SHA-256
confirm-receipt = Подтвердить получение пакета { $package }
receipt-confirmed = Получение подтверждено.
category-troop-components = компоненты войск (Коллективных сил)
category-financial-support = финансовое обеспечение
category-military-technical-assistance = военно-техническая помощь
disposition-accepted = учтено
disposition-accepted-in-part = учтено частично
disposition-not-accepted = не учтено
disposition-noted = принято к сведению

## Прочие страницы
take-your-seat = Займите своё место
invite-explained = По этой ссылке вы займёте место «{ $name }» ({ $seat }) в учении { $exercise }. Ссылка действует один раз.
take-the-seat-of = Занять место «{ $name }»
sign-in = Вход
not-signed-in = Вы не вошли. Откройте ссылку-приглашение, выданную для вашего места: она выполнит вход в этом браузере.
lost-invite = Ссылка утеряна? Оператор учения выдаст новую командой
exercises-on-server = Учения на этом сервере
yours = ваше
report-title = Отчёт о проведении учения · { $exercise }
report-so-far = Учение не завершено: это записи на текущий момент.
download = Скачать:
or-print = или распечатайте эту страницу.

## Что стало с формой
accepted = Принято: { $what }.
accepted-already = Уже было записано ранее.
accepted-recorded = Записано как событие { $event } (квитанция координатора).
sent-unanswered = Отправлено: { $what } в пути; координатор ещё не ответил.
not-confirmed-yet = Пока не подтверждено: { $what }: { $why }. Отправка повторяется автоматически; не отправляйте повторно.
not-sent = Не отправлено: { $why }. Введённое сохранено в форме; исправьте и отправьте снова.
not-accepted = Не принято: { $what }. { $wrong }: { $reason }. { $todo }.
typed-kept = Введённое сохранено в форме.
bus-unreachable = нет связи с сервером; отправка повторяется автоматически
seats-not-taken = { $count ->
    [one] не занято { $count } место
    [few] не заняты { $count } места
   *[other] не заняты { $count } мест
} ({ $seats }); чтобы всё же начать, отметьте соответствующий пункт
what-draft = проект { $slot } (редакция { $version })
what-revision = доработка { $slot } до редакции { $version }
what-position = ваша позиция по { $slot }, редакция { $version } ({ $position })
what-assessment = оценка обстановки на этапе { $stage }
what-activation = развёртывание пункта управления и проверка связи
what-assembly-report = доклад о прибытии
what-acknowledgement = подтверждение получения вводной { $inject }
what-inject = вводная
what-receipt = подтверждение получения
what-start = начало учения
what-pause = приостановка ({ $window })
what-resume = возобновление ({ $window })
what-advance = досрочное завершение ({ $window })
the-current-window = текущий период
form-not-a-number = поле формы «{ $what }» не является числом
form-not-confirmed = действие не подтверждено: отметьте пункт подтверждения
form-not-started = учение ещё не начато
form-no-such-draft = в этом учении нет проекта { $what }
form-no-such-disposition = «{ $what }» не является решением по замечанию
form-no-such-position = «{ $what }» не является позицией: выберите «согласен», «согласен с замечаниями», «не согласен» или «воздерживается»
form-no-window = в форме не указан период
form-no-such-act = «{ $what }» не является действием места
form-no-id = не удалось присвоить идентификатор сообщения ({ $what })
field-title = название
field-text = текст
field-what-changed = «что изменено»
field-reason = причина
field-reasons = обоснование или замечания (в сумме)
field-remarks = примечания
field-assessment = оценка
field-token = код проверки связи
field-other = поле
refused-stale-window = Пока команда шла, учение перешло к другому периоду
do-stale-window = Посмотрите страницу ещё раз и примите решение по текущему периоду
refused-wrong-phase = На этом этапе учения это невозможно
do-wrong-phase = Выше указано, что от вас ожидается сейчас
refused-unknown-inject = Такой вводной нет среди запланированных или выданных
refused-unknown-slot = Этот проект не рассматривается на текущем этапе
do-unknown-inject = Выше указаны вводные, выданные вам
do-unknown-slot = Выше указано, какие проекты рассматриваются сейчас
refused-stale-version = Тем временем поступила новая редакция проекта
do-stale-version = Прочитайте новую редакцию выше и выскажите позицию по ней
refused-not-a-participant = Ваше место больше не участвует (оно записано отсутствующим)
refused-not-permitted = Вашему месту это не разрешено
do-ask-control = Обратитесь к руководству учения
refused-too-large = Сообщение слишком велико
do-shorten = Сократите текст и отправьте снова
refused-invalid-content = Часть содержания не может быть принята
do-correct = Исправьте и отправьте снова
refused-bad-signature = Подпись не принята
do-check-key = Попросите оператора учения проверить ключ этого места
refused-unresolved-comment = По каждому возражению нужно принять решение
do-dispose = Выберите решение по каждому возражению и отправьте доработку снова
refused-unreadable = Сообщение не удалось прочитать
do-send-again = Отправьте снова; при повторном отказе сообщите оператору учения

## Страницы отказов
refused = Отказано
refused-cross-site = Отказано: { $why }.
no-such-seat = Эта консоль не обслуживает такое место в этом учении.
sign-in-form-invalid = В форме входа не указаны действительные учение и место.
invite-refused = Приглашение отклонено
invite-refused-why = Отказано: { $why }. Попросите у оператора учения новую ссылку.
cross-site-fetch = форма отправлена с другого сайта (Sec-Fetch-Site: { $site })
cross-site-origin = форма отправлена с другого адреса ({ $origin }; здесь { $host })
invite-used = эта ссылка-приглашение уже использована или не выдавалась для этого места
invite-wrong = эта ссылка-приглашение не подходит для этого места
invite-store = пульт не смог прочитать приглашения
no-session = Не удалось открыть сеанс; попробуйте ещё раз.
not-an-exercise-id = Это не идентификатор учения.
seat-in-another-exercise = Ваше место относится к другому учению.
cannot-follow-others = Эта консоль не отслеживает другие учения.
no-such-draft = В этом учении нет (пока) такого проекта.
no-such-page = Такой страницы нет.
exercises-are-the-directors = Список учений доступен только руководителю учения.
only-as-your-seat = Вы вошли как { $seat } в учении { $exercise } и можете действовать только от имени этого места.
control-is-the-directors = Управление учением доступно только руководителю учения.
director-controls-only = Руководитель учения направляет только команды управления.
seat-reads-only = Это место только для чтения; оно ничего не направляет.

## Лента событий
feed-notified = участники оповещены: { $title }
feed-listed = { $count ->
    [one] в список включён ещё { $count } участник
    [few] в список включено ещё { $count } участника
   *[other] в список включено ещё { $count } участников
}
feed-phase = период: { $phase }
feed-phase-paused = период: { $phase } (приостановлено)
feed-reported = { $who }: доклад о прибытии получен
feed-assembly-closed = сбор завершён: прибыло { $count }; отсутствуют: { $absent }
feed-deployment-ordered = отдан приказ на развёртывание: пункты управления разворачиваются
feed-activated = { $who }: пункт управления развёрнут
feed-stage-opened = начат этап { $stage }: { $title }
feed-assessed = { $who }: получена оценка обстановки на этапе { $stage }
feed-drafted = { $who }: направлен проект { $slot }, редакция { $version }: { $title }
feed-revised = { $who }: проект { $slot } доработан до редакции { $version }: { $summary }
feed-revised-something = { $who }: проект доработан
feed-position = { $who } по { $slot }, редакция { $version }: { $position }
feed-stage-concluded = этап { $stage } завершён: { $outcomes }
feed-package = разослан пакет из { $count ->
    [one] { $count } проекта
   *[other] { $count } проектов
} (контрольная сумма { $digest })
feed-inject = вводная { $inject } для { $to }: { $text }
feed-inject-everyone = всех участников
feed-inject-ordered = руководство учения выдало вводную
feed-inject-acknowledged = { $who }: получение вводной { $inject } подтверждено
feed-receipt = { $who }: получение пакета подтверждено
feed-concluded = учение завершено: принято { $adopted }, возвращено { $returned }
feed-paused = руководитель учения приостановил учение: { $reason }
feed-resumed = руководитель учения возобновил учение: { $reason }
feed-advanced = руководитель учения досрочно завершил период: { $reason }
feed-started = руководитель учения начал учение: { $reason }
characters = знаков

not-in-your-language = Не дано на вашем языке: показано как написано ({ $language })
written-in = Язык текста

## Injects
injects-to-you = Вводные вам
inject-heading = Вводная { $inject }
inject-from = От имени:
inject-released = Выдана
inject-expects = Ожидаемые действия:
inject-slot = Относится к вопросу
inject-acknowledged = Получение подтверждено
inject-acknowledge = Подтвердить получение
injects = Вводные
injects-to-come = Предстоящие на этом этапе
inject = Вводная
inject-when = Когда
inject-to = Кому
inject-text = Текст
inject-held = выдаётся вами
inject-release-now = Выдать сейчас
injects-released = Выданные
inject-acknowledged-by = Подтвердили
inject-waiting = ожидается от
inject-write = Составить вводную
inject-id = Номер
inject-to-seats = Кому (коды участников; пусто — всем)
inject-write-button = Выдать эту вводную
inject-everyone = всем
injects-none = Вводных нет.
inject-to-acknowledge = Подтвердить получение вводной { $inject }

## The planner
plan-heading = План учения
plan-played = Учение проводится по плану с SHA-256 { $digest }.
plan-download-current = Скачать действующий план учения как рабочую книгу, чтобы начать с него
plan-file = Рабочая книга (.xlsx), файл сценария (.toml) или план вводных (.csv):
plan-upload = Прочитать план
plan-problems = { $file }: { $count ->
    [one] { $count } ошибка
    [few] { $count } ошибки
   *[many] { $count } ошибок
}
plan-valid = { $file }: ошибок нет
plan-digest = SHA-256
plan-download-workbook = Скачать рабочую книгу
plan-download-scenario = Скачать файл сценария
plan-handed = Передан руководителю учения, который начнёт учение по нему.
plan-hand = Передать план руководителю учения
plan-sheet = Лист
plan-row = Строка
plan-column = Столбец
plan-field = Поле
plan-problem = Ошибка
plan-line = Строка
plan-other-seats = План меняет состав участников или порядок их работы; удостоверения выпущены для участников этого учения, поэтому провести его по такому плану нельзя.
plan-preview = Предварительный просмотр
plan-stages = Этапы
plan-stage = Этап
plan-closes = Завершается после начала
plan-slots = Проекты
plan-injects = Вводные по времени
plan-after-opening = через { $span } после начала этапа
plan-by-hand = выдаётся руководителем учения
plan-who-does-what = Что требуется от участников
plan-asked = Требуется
plan-asked-drafts = проекты { $slots }
plan-asked-positions = позиция по каждому проекту
plan-asked-injects = подтвердить получение вводных { $injects }
plan-asked-nothing = только чтение
plan-handed-over = План, переданный планированием
plan-start-with = Начать по плану, переданному планированием
plan-is-the-planners = План готовит только планирование.
plan-no-file = Файл не загружен.
plan-nothing-to-hand = Нет допустимого плана для передачи.
plan-none = Плана здесь нет.
plan-not-written = Не удалось записать план в рабочую книгу.
plan-changed = План изменился после того, как была показана эта страница: прочитайте его ещё раз перед началом.
plan-too-large = Файл сценария плана занимает { $size } КиБ: слишком много, чтобы передать его с командой начать учение.
plan-started-already = Учение уже начато: его план — тот, по которому оно идёт.
plan-more-problems = Показаны первые 200; после них ещё { $count }.
plan-not-read = Не удалось прочитать план.
plan-not-text = Файл не является текстом сценария (TOML или CSV в UTF-8).
plan-not-a-workbook = Файл не является рабочей книгой (.xlsx).
plan-msel-without-scenario = План вводных добавляется в сценарий учения, который этой консоли неизвестен.
plan-what-files = Загрузите рабочую книгу (.xlsx), файл сценария (.toml) или план вводных (.csv).
