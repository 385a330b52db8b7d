# Почему координатор не принял сообщение: каждый читает причину на своём языке. Аргументы —
# идентификаторы, числа и метки (`phase`, `what`, `role`, `body`), а не слова.

reason-wrong-phase = { $what ->
        [assembly_report] доклад о прибытии
        [control_point_activation] доклад о развёртывании пункта управления
        [situation_assessment] оценка обстановки
        [draft_decision] проект
        [position] позиция
        [receipt_confirmed] подтверждение получения
        [control] команда руководства учением
       *[other] сообщение
    } не принимается { $phase ->
        [assembly] на этапе сбора
        [deployment] на этапе развёртывания
        [stage] на этапе { $stage }
        [distribution] на этапе рассылки
        [concluded] после завершения учения
       *[other] до начала учения
    }
reason-stale-window = команда относилась { $meant_phase ->
        [assembly] к сбору
        [deployment] к развёртыванию
        [stage] к этапу { $meant_stage }
        [distribution] к рассылке
        [concluded] к завершению
       *[other] ко времени до начала
    }, а сейчас идёт { $open_phase ->
        [assembly] сбор
        [deployment] развёртывание
        [stage] этап { $open_stage }
        [distribution] рассылка
        [concluded] завершение
       *[other] подготовка к началу
    }; ничего не изменено
reason-not-the-directors-key = команда руководства учением не подписана ключом руководителя
reason-wrong-exercise = сообщение относится к другому учению; здесь учение { $exercise }
reason-observers-publish-nothing = наблюдатели ничего не направляют
reason-not-its-key = сообщение не подписано ключом { $node }
reason-not-a-participant = { $node } не участвует в этом учении
reason-declared-absent = { $node } по сценарию не участвует (заявлено отсутствие)
reason-recorded-absent = { $node }: при сборе записано отсутствие
reason-already-reported = доклад о прибытии от { $node } уже получен
reason-only-control-points-activate = развёртываются только пункты управления государств
reason-token-does-not-match = код проверки связи не совпадает
reason-already-active = пункт управления { $node } уже развёрнут
reason-only-states-assess = обстановку оценивают только государства и приглашённые
reason-stage-not-open = этап { $stage } не открыт; открыт этап { $open }
reason-assessment-empty = оценка обстановки пуста
reason-already-assessed = оценка обстановки этапа { $stage } от { $node } уже получена
reason-new-draft-is-version-1 = новый проект — это редакция 1; следующие редакции вносятся доработкой
reason-draft-exists = по вопросу { $slot } проект уже есть; доработайте его
reason-revision-without-draft = доработка без текста проекта
reason-nothing-to-revise = по вопросу { $slot } нет проекта для доработки
reason-next-version = следующая редакция проекта { $slot } — { $version }
reason-only-states-confirm = получение подтверждают только государства
reason-another-package = подтверждение относится к другому пакету или другой контрольной сумме
reason-already-confirmed = подтверждение получения от { $node } уже получено
reason-not-a-participants-message = сообщения вида «{ $what }» участники не направляют
reason-comment-not-open = замечание { $comment } не открыто по редакции { $version }
reason-two-dispositions = по замечанию { $comment } два решения
reason-disposition-without-kind = в решении по замечанию { $comment } не указано, учтено ли оно
reason-not-accepted-without-reason = замечание { $comment } отклонено без объяснения причины
reason-no-disposition = в доработке нет решения по замечаниям: { $comments }
reason-unknown-slot = в этом учении нет вопроса { $slot }
reason-slot-of-another-stage = вопрос { $slot } относится к этапу { $stage }; открыт этап { $open }
reason-owned-by = вопрос { $slot } разрабатывает { $body ->
        [joint_staff] Объединённый штаб
       *[secretariat] Секретариат
    }
reason-body-or-category = разработчик или категория не соответствуют вопросу { $slot }
reason-title-and-text = у проекта должны быть название и текст
reason-already-considered = вопрос { $slot } уже рассмотрен
reason-gives-no-positions = { $role ->
        [joint_staff] Объединённый штаб не высказывает
        [secretariat] Секретариат не высказывает
        [observer] наблюдатель не высказывает
        [guest] этот приглашённый участник не высказывает
       *[other] этот участник не высказывает
    } позиций по проектам
reason-no-draft-open = по вопросу { $slot } нет проекта на этапе { $stage }
reason-stale-version = редакция { $version } проекта { $slot } уже не текущая; текущая — { $current }
reason-position-kind-unset = не указана позиция
reason-non-concurrence-needs-reasons = несогласие требует обоснования
reason-already-answered = позиция { $node } по редакции { $version } уже получена
reason-started-already = учение уже началось
reason-starts-by-itself = это учение начинается само, без команды руководителя
reason-no-such-window = команда указывает период, который не может быть открыт
reason-already-paused = учение уже приостановлено
reason-not-paused = учение не приостановлено
reason-not-a-command = сообщение вида «{ $what }» — не команда руководства учением
reason-unreadable = сообщение не читается: { $problem }
reason-wrong-subject = отправитель { $sender } не может направлять сообщения в { $subject }
reason-id-used-already = идентификатор { $id } уже использован отправителем { $sender } для другого сообщения (событие { $event })
text-too-long = { field-name }: { $length ->
    [one] { $length } знак
    [few] { $length } знака
   *[other] { $length } знаков
}, допускается не более { $limit }
text-control = { field-name }: невидимый управляющий символ ({ $shown }) в позиции { $at }; удалите его
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

reason-inject-none = в распоряжении не указана вводная
reason-inject-not-released = вводная { $inject } не выдавалась
reason-inject-not-for = вводная { $inject } не адресована { $node }
reason-inject-acknowledged = { $node } уже подтвердил получение вводной { $inject }
reason-inject-unknown = вводная { $inject } не запланирована
reason-inject-other-stage = вводная { $inject } относится к этапу { $stage }, а идёт этап { $open }
reason-inject-released = вводная { $inject } уже выдана
reason-inject-id = «{ $inject }» не может быть номером вводной: допустимо не более 64 букв, цифр, «-» и «_»
reason-inject-id-taken = вводная { $inject } уже есть
reason-inject-written-timed = вводная, составленная в ходе учения, выдаётся сразу: времени у неё нет
reason-inject-empty = у вводной нет текста
reason-inject-language = «{ $language }» не является обозначением языка
reason-inject-seat = { $node } не является участником, которому можно направить вводную
reason-inject-slot = проекта { $slot } нет на этапе { $stage }
reason-no-start = сообщение не является командой начать учение
reason-plan-invalid = переданный план не является допустимым сценарием (ошибок: { $problems })
reason-plan-other-seats = переданный план меняет состав участников или порядок их работы: выпустите для него удостоверения и начните новое учение
