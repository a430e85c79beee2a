"""How passwords are stored: Argon2id at a cost these servers can pay at every sign-in."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class SignInArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with 46 MiB of memory, one pass, one lane: the first of the configurations
    the OWASP password storage guidance lists as equally strong.

    Django's own defaults (100 MiB, two passes, eight lanes) are tuned for eight cores; on a
    two-core server they take three times as long and queue sign-ins behind each other.
    Memory, not time, is what makes guessing on graphics cards expensive. Hashes made with
    other parameters still verify and are rewritten with these at the next sign-in.
    """

    time_cost = 1
    memory_cost = 47_104
    parallelism = 1
