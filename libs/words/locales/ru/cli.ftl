# Слова самой команды `muster`: ход и итоги `run`, `status`, `package`, `scenario validate`.

## muster status

cli-status-not-started = учение { $exercise }: не начато ({ $events })
cli-status-exercise = учение { $exercise }: { $phase }
cli-status-stage = этап { $stage } из { $stages }: { $title }
cli-status-paused = (приостановлено)
cli-status-scenario = сценарий: { $title }
cli-status-time = время учения: { $at }
cli-status-deadline = срок: { $at }, { $left }
cli-status-counts = событий: { $events }; проектов: { $drafts }; рассмотрено вопросов: { $considered }; отсутствуют: { $absent }
cli-status-injects = вводные:
cli-status-inject-released = { $inject }: выдана { $at }; получение подтвердили { $acknowledged } из { $recipients } (ожидаются: { $waiting })
cli-status-inject-due = { $inject }: срок выдачи { $at }
cli-status-inject-held = { $inject }: выдаётся руководителем учения (muster inject { $inject })
cli-status-awaited-nothing = ожидается: ничего
cli-status-awaited = ожидается ({ $count }):

## muster run: ход учения, по строке на событие

progress-notified = { $count ->
    [one] сбор: оповещён { $count } участник
    [few] сбор: оповещены { $count } участника
    [many] сбор: оповещены { $count } участников
   *[other] сбор: оповещены { $count } участника
}
progress-assembled = сбор: доложили о прибытии { $reported } из { $expected }
progress-silent = не доложили, записаны отсутствующими: { $absent }
progress-deployed = развёртывание: пункты управления развёрнуты, связь проверена: { $active } из { $present }
progress-stage-opened = этап { $stage }: начат: { $title }
progress-stage = этап { $stage }: проекты { $drafts }/{ $slots }, позиции { $positions }/{ $expected }, несогласия { $objections }, доработки { $revisions }
progress-considered = этап { $stage }: { $count ->
    [one] рассмотрен { $count } вопрос
    [few] рассмотрено { $count } вопроса
    [many] рассмотрено { $count } вопросов
   *[other] рассмотрено { $count } вопроса
}: принято { $adopted }, возвращено { $returned }, без проекта { $nodraft } (проектов { $drafts }, позиций { $positions }, несогласий { $objections }, доработок { $revisions })
progress-package = рассылка: пакет из { $items ->
    [one] { $items } проекта
   *[other] { $items } проектов
} направлен { $states ->
    [one] { $states } государству
   *[other] { $states } государствам
}
progress-receipts = рассылка: получение подтвердили { $receipts } из { $present }
progress-concluded = учение завершено

## muster run: что запущено и где что лежит

run-scenario = сценарий: { $title } ({ $file })
run-exercise = учение: { $exercise } ({ $mode ->
    [fast] ускоренный режим
   *[other] режим масштаба времени
}, масштаб времени { $scale }x)
identities-written = записано ключей nkey: { $keys } (<name>.nk), сертификаты и { $auth } — в { $dir }
identities-valid = сертификаты действительны до { $until } (удостоверяющий центр, ca.pem, — до { $authority }); `muster identities --renew` выпускает их заново
identities-links-kept = ссылки для входа: прежние (уже выданные ссылки действуют)
identities-links = ссылки для входа, по одной на рабочее место, каждая действует один раз (для удалённого места — на консоли его национального узла):
identities-remote-console = <консоль его национального узла>
run-identities = ключи: { $dir } (nkey каждого рабочего места и каждой службы — <name>.nk; сервер NATS допускает только их, как указано в { $auth })
run-nats = nats: { $url } (pid { $pid }, хранилище { $store })
run-nats-plain = nats: соединения без шифрования, только внутри этой машины (--tls включает шифрование)
run-nats-tls = nats: только TLS, сертификат сервера проверяется по { $ca }
run-gateway = шлюз: { $url } (взаимный TLS; проверка состояния и reflection также на { $probe }); сертификаты в { $certs }
run-person-seat = рабочее место { $node } ({ $name }) занимает человек: без его действий за это место никто не действует
run-started = запущен { $name } (pid { $pid })
run-console = консоль: { $url } (руководитель учения и рабочие места, которые занимают люди в штабе)
run-links = ссылки для входа, по одной на рабочее место, каждая действует один раз:
run-planner = Планирование (готовит план учения и передаёт его руководителю)
run-director = Руководитель учения (руководство учения)
run-start-hint = учение начнётся, когда руководитель учения запустит его в консоли; Ctrl-C останавливает всё
run-console-report = учение завершено; отчёт: { $url }; Ctrl-C останавливает консоли
run-report = отчёт: { $report } (рядом report.html и report.json); журналы: { $logs }
run-receipts = квитанции всех рабочих мест: { $dir }
run-done = готово за { $seconds } с

## muster package

cli-package-written = { $exercise }: пакет { $id } ({ $count ->
    [one] { $count } решение
    [few] { $count } решения
    [many] { $count } решений
   *[other] { $count } решения
}, контрольная сумма { $digest } совпадает с записанной) записан в { $dir }

## muster scenario validate

summary-valid = { $file }: сценарий корректен
summary-digest = SHA-256: { $digest }
summary-injects = { $count ->
    [one] { $count } вводная
    [few] { $count } вводные
   *[other] { $count } вводных
}, из них по команде руководителя: { $by_hand }
summary-languages = Тексты на языках: { $languages }
summary-untranslated = { $count ->
    [one] { $count } текст дан не на всех языках (читатели увидят его на языке сценария, с пометкой):
    [few] { $count } текста даны не на всех языках (читатели увидят их на языке сценария, с пометкой):
   *[many] { $count } текстов даны не на всех языках (читатели увидят их на языке сценария, с пометкой):
}
summary-counts = { $stages ->
    [one] { $stages } этап
    [few] { $stages } этапа
    [many] { $stages } этапов
   *[other] { $stages } этапа
}, { $slots ->
    [one] { $slots } вопрос
    [few] { $slots } вопроса
    [many] { $slots } вопросов
   *[other] { $slots } вопроса
}
summary-stage = этап { $stage }: { $title } — { $slots ->
    [one] { $slots } вопрос
    [few] { $slots } вопроса
    [many] { $slots } вопросов
   *[other] { $slots } вопроса
} ({ $categories })
summary-category = { $category }: { $count }
summary-participants = { $count ->
    [one] { $count } участник
    [few] { $count } участника
    [many] { $count } участников
   *[other] { $count } участника
}
summary-role = { $role } ({ $count }): { $members }
summary-member-states = государства-члены
summary-joint-staff = Объединённый штаб
summary-secretariat = Секретариат
summary-observers = наблюдатели
summary-guests = приглашённые участники
summary-absent = { $node } (отсутствует)
summary-rule = порядок принятия решений: { $rule }; масштаб времени: { $scale }x

cli-control-reason = { $command ->
        [start] начато руководителем учения
        [pause] приостановлено руководителем учения
        [resume] продолжено руководителем учения
       *[advance] период закрыт руководителем учения
    }
cli-control-what = { $command ->
        [start] начало учения
        [pause] приостановка
        [resume] продолжение
       *[advance] закрытие периода
    }
cli-control-what-window = { $what } ({ $window })
cli-inject-what = выдача вводной { $inject }
cli-control-accepted = { $exercise }: { $what } — принято
cli-control-refused = { $what } — не принято: { $why }
cli-control-unanswered = { $what }: координатор не ответил за 10 с
cli-plan-exported = { $file }: этапов: { $stages }, вводных: { $injects }, из { $from }
cli-plan-imported = { $file }: этапов: { $stages }, участников: { $participants }, вводных: { $injects }, из { $from }; SHA-256 { $digest }
cli-plan-problems = { $file }: { $count ->
    [one] найдена { $count } ошибка
    [few] найдено { $count } ошибки
   *[many] найдено { $count } ошибок
}
cli-plan-write-what = { $file }: можно записать рабочую книгу (.xlsx) или план вводных (.csv)
cli-plan-read-what = { $file }: можно прочитать рабочую книгу (.xlsx) или план вводных (.csv)
cli-plan-msel-needs-scenario = { $file }: план вводных добавляется в сценарий: укажите --scenario ФАЙЛ
cli-plan-not-text = { $file }: не является текстом в UTF-8
