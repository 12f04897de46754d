"""(in progress)"""

from handlers.router import Router


def register(router: Router) -> None:
    pass
