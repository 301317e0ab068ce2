"""The chaos soak: the whole fleet as separate processes, under faults, then checked.

    python -m tests.soak --short                 # CI: every fault kind once (make soak-short)
    python -m tests.soak                         # the long run (make soak)
    python -m tests.soak --broker amqp           # RabbitMQ as the broker (Redis: gate, results)

Module map:
    services   the processes it starts and kills: its own redis-server (AOF) and PostgreSQL
               cluster (initdb + pg_ctl) on spare ports in a temporary folder, a RabbitMQ
               vhost of its own, the sandbox server, worker nodes, two beats, Flower
    workload   the runner's chains of mutations per ad account (payloads, expected states)
    runner     the runner process: enqueues by name with send_task, collects results and
               the events the fleet delivers (`python -m tests.soak.runner`)
    faults     the fault plan and the injectors (kills, drops, storms, outages, suspensions)
    checks     what is verified afterwards, the secrets scan and the one-line summary
    __main__   the driver: start, run, inject, stop, check; exit 1 on any failed check
"""
