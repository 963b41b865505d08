"""Commands about the space's devices: list them with their state, approve a new one."""

from __future__ import annotations

import click

from companion.cli.base import cli, emit_json, say, with_session


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable list.")
@click.pass_context
def devices(ctx: click.Context, as_json: bool) -> None:
    """List the space's devices: whose each is, its fingerprint, whether it is trusted."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(_list, as_json=as_json)


@with_session
def _list(session, as_json: bool) -> None:
    found = session.devices()
    safety = session.safety_code()
    if as_json:
        emit_json(
            {
                "devices": [d.to_dict() for d in found],
                "safety_code": safety,
                "this_device_code": session.my_code(),
            }
        )
        return
    for device in found:
        say(f"{device.owner} · {device.label} · {device.fingerprint} · {device.state}")
        if device.state == "waiting for confirmation":
            say("    its code shows on that device only: `companion devices` there")
    if not session.is_confirmed():
        say(
            "\nThis device is waiting for one of your other devices to confirm it. There, run:\n"
            f"  companion devices approve {session.my_code()}"
        )
    if safety:
        say(f"\nSafety code (compare it with your partner's, in person):\n  {safety}")
    elif not session.is_confirmed():
        say("\nThe safety code shows here once this device is confirmed.")
    else:
        say("\nThe safety code shows once both of you have a device this one trusts.")


@devices.command()
@click.argument("code")
@with_session
def approve(session, code: str) -> None:
    """Confirm a waiting device by the code it shows (18 digits, read off that device).

    The code's last eight digits are never written to the shared folder, so only someone who
    read them off the new device can approve it: your partner's app can't do it for you."""
    chosen = session.approve_device(code)
    say(
        f"Approved {chosen.owner}'s device {chosen.label} ({chosen.fingerprint}). "
        "Its changes come in now, and it trusts this device in turn once it syncs."
    )
