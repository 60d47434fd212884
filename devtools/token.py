"""Print a staff ID token from the running local stack: ``python -m devtools.token USER``.

Information goes to stderr; the token alone is the LAST line on stdout, so
``TOKEN=$(make -s token USER=admin.pusat | tail -n 1)`` works.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from devtools.stack import DEFAULT_STATE_PATH, StackError, aws_client, read_state


class TokenError(RuntimeError):
    pass


def get_id_token(state: dict, username: str, password: str | None = None) -> str:
    """Sign ``username`` in against the stack described by ``state``; return the ID token."""
    known = state.get("usernames") or []
    if username not in known:
        raise TokenError(f"unknown user {username!r}; demo users: {', '.join(known)}")
    cognito = aws_client("cognito-idp", state["moto_url"])
    try:
        result = cognito.initiate_auth(
            ClientId=state["client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password or state["demo_password"]},
        )
    except EndpointConnectionError:
        raise TokenError(
            f"cannot reach the local stack at {state['moto_url']}: it is not running "
            "(start it with `make run`)"
        ) from None
    except ClientError as exc:
        raise TokenError(f"sign-in failed for {username}: {exc.response['Error'].get('Message', exc)}") from None
    except BotoCoreError as exc:
        raise TokenError(f"cannot talk to the local stack at {state['moto_url']}: {exc}") from None
    return result["AuthenticationResult"]["IdToken"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.token", description=__doc__)
    parser.add_argument("user", nargs="?", help="demo username, e.g. admin.pusat")
    parser.add_argument("--password", help="default: the demo password")
    parser.add_argument("--state", default=str(DEFAULT_STATE_PATH), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        state = read_state(Path(args.state))
    except StackError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    if not args.user:
        print(
            f"ERROR: which user? usage: make token USER=<name>; demo users: {', '.join(state['usernames'])}",
            file=sys.stderr,
        )
        return 2
    try:
        token = get_id_token(state, args.user, args.password)
    except TokenError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    account = next((a for a in state.get("accounts", []) if a["username"] == args.user), {})
    print(f"ID token for {args.user} ({account.get('role', '?')}), valid 60 minutes:", file=sys.stderr)
    print(token, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
