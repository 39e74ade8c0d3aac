"""The `scheduler` command line: one module per group of commands, registered here."""

import click

from scheduler.cli.acting import as_option


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@as_option
def main() -> None:
    """Plan, publish and run a multi-room hybrid event."""


from scheduler.cli.check import check_command  # noqa: E402
from scheduler.cli.events import event_commands  # noqa: E402
from scheduler.cli.files import validate  # noqa: E402
from scheduler.cli.live import figures_command, live_group, participants_group  # noqa: E402
from scheduler.cli.outbox import outbox_group  # noqa: E402
from scheduler.cli.site import demo_command, serve_command, speaker_links_command  # noqa: E402
from scheduler.cli.solve import solve_command  # noqa: E402
from scheduler.cli.users import users_group  # noqa: E402
from scheduler.cli.worker import run_job_command, worker_command  # noqa: E402

main.add_command(validate)
main.add_command(check_command)
main.add_command(live_group)
main.add_command(participants_group)
main.add_command(figures_command)
main.add_command(serve_command)
main.add_command(demo_command)
main.add_command(speaker_links_command)
main.add_command(solve_command)
main.add_command(users_group)
main.add_command(outbox_group)
main.add_command(worker_command)
main.add_command(run_job_command)
for command in event_commands:
    main.add_command(command)
