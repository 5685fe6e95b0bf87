"""``ykt backup`` and ``ykt restore``: the ledger, the personal-data keys and the report-signing
keys, together, in one archive, and back.

The archive is a tar file holding

* ``manifest.json``: what it is (format, version), when it was made, the package version, the
  database (dialect, Alembic schema revision, how it was copied) and for each member its size
  and SHA-256;
* ``ledger/ledger.sqlite3`` — SQLite, copied online with SQLite's backup API (a consistent
  snapshot while the service runs), checked with ``PRAGMA integrity_check`` — or
  ``ledger/ledger.pgdump`` — PostgreSQL, ``pg_dump --format=custom`` of the ledger's schema (one
  consistent snapshot; the ``pg_dump`` program must be installed);
* ``keys/pii-keys.json``: the personal-data key document (data keys and the index key);
* ``keys/report-signing-keys.json``: the report-signing key set.

It is written mode 0600 and never over an existing file: it holds the keys that open the
ledger's personal data, so it is as secret as the key files; keep it apart from the ledger's own
copies (encrypted, offline). Restoring checks every member's SHA-256 against the manifest and
the schema revision against this version's migrations, and writes into an *empty* target only:
no tables in the ledger (the SQLite file missing or empty; the PostgreSQL schema missing or
empty), no personal-data key file and no report-signing keys. Every refusal is named at once,
before anything is written. Then ``ykt verify`` checks what was restored.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.engine import URL

from durable import fsync_dir
from i18n import Phrase
from i18n.library_words import said

FORMAT = "ykt-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "ledger/ledger.sqlite3"
PG_MEMBER = "ledger/ledger.pgdump"
PII_MEMBER = "keys/pii-keys.json"
SIGNING_MEMBER = "keys/report-signing-keys.json"
_MEMBERS = {SQLITE_MEMBER, PG_MEMBER, PII_MEMBER, SIGNING_MEMBER}


class BackupError(Exception):
    """A backup or restore that cannot be done; the text says why (one line per problem).

    ``problems`` are those lines as catalogue words (i18n/catalogue_backup.py), so that ``ykt``
    says them in the reader's language; the text is their English. ``phrase`` is the one
    problem's words, as :func:`i18n.library_words.said` reads an error's (None for several)."""

    def __init__(self, *problems: Phrase) -> None:
        self.problems = problems
        self.phrase = problems[0] if len(problems) == 1 else None
        super().__init__("\n".join(str(p) for p in problems))


def _in_archive(archive: Path, problem: Phrase) -> BackupError:
    """What is wrong with the archive itself, named first: restore stops there."""
    return BackupError(Phrase.of("backup.archive", archive=archive, problem=problem))


# -- backup -------------------------------------------------------------------------------------

def backup(settings, out: Path, environ: Mapping[str, str] | None = None) -> tuple[dict, list[Phrase]]:
    """Write the archive to ``out`` (mode 0600, never over a file); returns its manifest and the
    keys it holds as words, for ``ykt`` to say in the reader's language (the manifest keeps
    their English: the archive is read by scripts)."""
    env = os.environ if environ is None else environ
    out = Path(out)
    if out.exists():
        raise BackupError(Phrase.of("backup.exists", out=out))
    url = make_url(settings.database_url)
    work = Path(tempfile.mkdtemp(prefix="ykt-backup-"))  # 0700
    try:
        files: dict[str, Path] = {}
        if url.get_backend_name() == "sqlite":
            files[SQLITE_MEMBER] = _sqlite_copy(url, work / "ledger.sqlite3")
            revision = _sqlite_revision(files[SQLITE_MEMBER])
            database = {"dialect": "sqlite", "schema_revision": revision, "copied_with": "sqlite3 backup API "
                        f"(SQLite {sqlite3.sqlite_version})"}
        elif url.get_backend_name() == "postgresql":
            schema, revision = _pg_schema_and_revision(settings.database_url)
            version = _pg_dump(url, schema, work / "ledger.pgdump", env)
            files[PG_MEMBER] = work / "ledger.pgdump"
            database = {"dialect": "postgresql", "schema_revision": revision, "schema": schema,
                        "copied_with": f"{version} --format=custom"}
        else:
            raise BackupError(Phrase.of("backup.dialect", backend=repr(url.get_backend_name())))
        keyring, signing = _keys(settings, env)
        held = _keys_held(keyring, signing)
        (work / "pii-keys.json").write_bytes((json.dumps(keyring.to_document(), indent=2) + "\n").encode("utf-8"))
        (work / "report-signing-keys.json").write_bytes(signing.to_bytes())
        files[PII_MEMBER] = work / "pii-keys.json"
        files[SIGNING_MEMBER] = work / "report-signing-keys.json"
        manifest = {
            "format": FORMAT, "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "ykt_adapter": _package_version(),
            "database": database,
            "keys": [str(words) for words in held],
            "members": {name: {"bytes": path.stat().st_size, "sha256": _sha256(path)} for name, path in files.items()},
        }
        _write_archive(out, manifest, files)
        return manifest, held
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _sqlite_copy(url: URL, dst: Path) -> Path:
    source = Path(url.database or "")
    if not url.database or url.database == ":memory:" or not source.is_file():
        raise BackupError(Phrase.of("backup.sqlite_missing", source=source))
    src = sqlite3.connect(str(source), timeout=120)
    try:
        copy = sqlite3.connect(str(dst))
        try:
            src.backup(copy)  # a consistent snapshot, taken while writers go on
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            found = copy.execute("PRAGMA integrity_check").fetchall()
        finally:
            copy.close()
    finally:
        src.close()
    if found != [("ok",)]:
        raise BackupError(Phrase.of("backup.copy_damaged", source=source, found=str(found[:3])))
    return dst


def _sqlite_revision(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        return _one_revision(conn.execute("SELECT version_num FROM alembic_version").fetchall(), str(path))
    except sqlite3.DatabaseError as exc:
        raise BackupError(Phrase.of("backup.no_revision", path=path, error=str(exc))) from None
    finally:
        conn.close()


def _one_revision(rows, where: str | Phrase) -> str:
    if len(rows) != 1:
        raise BackupError(Phrase.of("backup.revisions", where=where, count=len(rows)))
    return str(rows[0][0])


def _pg_schema_and_revision(database_url: str) -> tuple[str, str]:
    from sqlalchemy.exc import SQLAlchemyError

    from ledger.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            if schema is None:
                raise BackupError(Phrase.of("backup.pg_no_schema"))
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).fetchall()
    except SQLAlchemyError as exc:
        raise BackupError(Phrase.of("backup.pg_unreadable", error=" ".join(str(exc.orig or exc).split()))) from None
    finally:
        engine.dispose()
    return schema, _one_revision(rows, Phrase.of("backup.pg_schema", schema=schema))


def _pg_env(url: URL, env: Mapping[str, str]) -> dict[str, str]:
    """libpq's variables for the ledger's URL: the password never on a command line."""
    out = dict(env)
    for var, value in (("PGHOST", url.host or url.query.get("host")), ("PGPORT", url.port),
                       ("PGUSER", url.username), ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value:
            out[var] = str(value if not isinstance(value, tuple) else value[0])
    return out


def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(Phrase.of("backup.no_program", name=name))
    return found


def _pg_dump(url: URL, schema: str, dst: Path, env: Mapping[str, str]) -> str:
    program = _pg_program("pg_dump")
    done = subprocess.run([program, "--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
                           f"--file={dst}"], env=_pg_env(url, env), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(Phrase.of("backup.pg_dump_failed", error=" ".join(done.stderr.split())))
    return subprocess.run([program, "--version"], capture_output=True, text=True).stdout.strip()


def _keys(settings, env: Mapping[str, str]):
    from privacy.errors import KeyringError, KeyringNotConfigured
    from privacy.keys import Keyring
    from reports.signing import SigningKeyError, SigningKeys

    try:
        try:
            keyring = Keyring.from_env(env)
        except KeyringNotConfigured:
            keyring = Keyring.load(settings.key_file)
    except KeyringError as exc:
        raise BackupError(Phrase.of("backup.pii_keys", why=said(exc))) from None
    try:
        signing = SigningKeys.load_or_create(settings.signing_key_file, settings.legacy_signing_key_file)
    except SigningKeyError as exc:
        raise BackupError(Phrase.of("backup.signing_keys", why=said(exc))) from None
    return keyring, signing


def _keys_held(keyring, signing) -> list[Phrase]:
    """What the archive holds of keys: their ids and current ones, never a key."""
    return [Phrase.of("backup.held.pii_keys", keys=tuple(keyring.key_ids), current=keyring.current_id),
            Phrase.of("backup.held.signing_keys", keys=tuple(signing.key_ids), current=signing.current_id)]


def _write_archive(out: Path, manifest: dict, files: dict[str, Path]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            os.fchmod(raw.fileno(), 0o600)
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                body = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
                tar.addfile(_info(MANIFEST, len(body)), io.BytesIO(body))
                for name, path in files.items():
                    with path.open("rb") as f:
                        tar.addfile(_info(name, path.stat().st_size), f)
            raw.flush()
            os.fsync(raw.fileno())
        try:
            os.link(tmp, out)  # never over a file that appeared meanwhile
        except FileExistsError:
            raise BackupError(Phrase.of("backup.exists", out=out)) from None
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(out.parent)


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(datetime.now(UTC).timestamp())
    return info


# -- restore ------------------------------------------------------------------------------------

def restore(settings, archive: Path, environ: Mapping[str, str] | None = None) -> tuple[dict, list[Phrase]]:
    """Restore ``archive`` into the empty ledger and key files ``settings`` name; returns the
    manifest and one line per thing written, as words (said in the reader's language). Refuses
    (:class:`BackupError`, every problem on a line of its own) before writing anything when the
    archive is damaged or the target is not empty."""
    env = os.environ if environ is None else environ
    work = Path(tempfile.mkdtemp(prefix="ykt-restore-"))  # 0700
    try:
        manifest, files = _unpack(Path(archive), work)
        url = make_url(settings.database_url)
        pii_target = Path(env["YKT_PII_KEY_FILE"]) if env.get("YKT_PII_KEY_FILE") else settings.key_file
        problems = _target_problems(settings, url, manifest, pii_target, env)
        if problems:
            raise BackupError(*problems)
        keys = _keys_in(files)  # read before anything is written: a key set that does not load stops it all
        revision = manifest["database"]["schema_revision"]
        if manifest["database"]["dialect"] == "sqlite":
            target = Path(url.database)
            _copy_private(files[SQLITE_MEMBER], target)
            written = [Phrase.of("backup.wrote.sqlite", target=target, revision=revision)]
        else:
            schema = _pg_restore(url, settings.database_url, files[PG_MEMBER], env)
            written = [Phrase.of("backup.wrote.postgresql", schema=schema, database=url.database, revision=revision)]
        written += _restore_keys(settings, keys, pii_target)
        return manifest, written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _unpack(archive: Path, work: Path) -> tuple[dict, dict[str, Path]]:
    """The manifest and each member checked against it, extracted into ``work``."""
    try:
        tar = tarfile.open(archive, mode="r:")
    except (OSError, tarfile.TarError) as exc:
        raise _in_archive(archive, Phrase.of("backup.not_archive", why=said(exc))) from None
    with tar:
        try:
            members = tar.getmembers()
        except tarfile.TarError as exc:
            raise _in_archive(archive, Phrase.of("backup.archive_damaged", why=said(exc))) from None
        by_name = {}
        for m in members:
            if not m.isfile() or m.name not in _MEMBERS | {MANIFEST} or m.name in by_name:
                raise _in_archive(archive, Phrase.of("backup.unexpected_member", member=repr(m.name)))
            by_name[m.name] = m
        if MANIFEST not in by_name:
            raise _in_archive(archive, Phrase.of("backup.no_manifest", manifest=MANIFEST))
        try:
            manifest = json.loads(tar.extractfile(by_name[MANIFEST]).read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError, tarfile.TarError) as exc:
            raise _in_archive(archive, Phrase.of("backup.manifest_unreadable", manifest=MANIFEST,
                                                 why=said(exc))) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _in_archive(archive, Phrase.of("backup.manifest_foreign", manifest=MANIFEST, format=FORMAT))
        if manifest.get("version") != VERSION:
            raise _in_archive(archive, Phrase.of("backup.format_version", version=repr(manifest.get("version")),
                                                 reads=VERSION))
        listed = manifest.get("members") or {}
        if set(listed) != set(by_name) - {MANIFEST}:
            raise _in_archive(archive, Phrase.of("backup.members_differ",
                                                 members=str(sorted(set(by_name) - {MANIFEST})),
                                                 listed=str(sorted(listed))))
        files = {}
        for name, facts in listed.items():
            dst = work / name.replace("/", "_")
            digest = hashlib.sha256()
            try:
                with tar.extractfile(by_name[name]) as src, dst.open("wb") as out:
                    while chunk := src.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
            except (OSError, tarfile.TarError) as exc:
                raise _in_archive(archive, Phrase.of("backup.member_damaged", member=name, why=said(exc))) from None
            if digest.hexdigest() != facts.get("sha256"):
                raise _in_archive(archive, Phrase.of("backup.member_altered", member=name,
                                                     sha256=digest.hexdigest(), listed=facts.get("sha256")))
            files[name] = dst
    dialect = (manifest.get("database") or {}).get("dialect")
    needed = {PII_MEMBER, SIGNING_MEMBER, SQLITE_MEMBER if dialect == "sqlite" else PG_MEMBER}
    if dialect not in ("sqlite", "postgresql") or not needed <= set(files):
        raise _in_archive(archive, Phrase.of("backup.members_lacking", lacking=str(sorted(needed - set(files))),
                                             dialect=dialect))
    return manifest, files


def _target_problems(settings, url: URL, manifest: dict, pii_target: Path,
                     env: Mapping[str, str]) -> list[Phrase]:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from ledger.db import MIGRATIONS

    problems = []
    db = manifest["database"]
    revision = db.get("schema_revision", "")
    try:
        known = ScriptDirectory(str(MIGRATIONS)).get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        problems.append(Phrase.of("backup.revision_unknown", revision=repr(revision), version=_package_version(),
                                  made_by=manifest.get("ykt_adapter")))
    backend = url.get_backend_name()
    if backend != db["dialect"]:
        problems.append(Phrase.of("backup.other_dialect", dialect=db["dialect"], backend=backend))
    elif backend == "sqlite":
        target = Path(url.database or "")
        if _sqlite_has_tables(target):
            problems.append(Phrase.of("backup.sqlite_not_empty", target=target))
        for extra in (Path(f"{target}-wal"), Path(f"{target}-journal")):
            if extra.exists() and extra.stat().st_size:
                problems.append(Phrase.of("backup.left_over", path=extra))
    else:
        problems += _pg_target_problems(settings.database_url, db.get("schema", ""))
    if env.get("YKT_PII_KEYS"):
        problems.append(Phrase.of("backup.pii_keys_in_env"))
    if pii_target.exists():
        problems.append(Phrase.of("backup.pii_key_file_exists", path=pii_target))
    for path in (settings.signing_key_file, settings.legacy_signing_key_file):
        if path.exists():
            problems.append(Phrase.of("backup.signing_key_file_exists", path=path))
    return problems


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True  # something that is not an empty ledger


def _pg_target_problems(database_url: str, archived_schema: str) -> list[Phrase]:
    from sqlalchemy.exc import SQLAlchemyError

    from ledger.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            path = conn.execute(text("SHOW search_path")).scalar() or ""
            first = path.split(",")[0].strip().strip('"')
            schema = conn.execute(text("SELECT current_schema()")).scalar() or first
            tables = conn.execute(text("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                       "WHERE n.nspname = :s AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"),
                                  {"s": schema}).scalar()
    except SQLAlchemyError as exc:
        return [Phrase.of("backup.pg_target_unreadable", error=" ".join(str(exc.orig or exc).split()))]
    finally:
        engine.dispose()
    problems = []
    if schema != archived_schema:
        problems.append(Phrase.of("backup.other_schema", archived=repr(archived_schema), schema=repr(schema),
                                  search_path=archived_schema))
    elif tables:
        problems.append(Phrase.of("backup.pg_not_empty", schema=repr(schema),
                                  database=make_url(database_url).database, tables=tables))
    return problems


def _pg_restore(url: URL, database_url: str, dump: Path, env: Mapping[str, str]) -> str | Phrase:
    """Load the dump; the schema entry is left out when the schema is already there (empty).
    Returns the schema loaded into (words saying it was created when there was none)."""
    from ledger.db import make_engine

    program = _pg_program("pg_restore")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar()
    finally:
        engine.dispose()
    listing = subprocess.run([program, "--list", str(dump)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(Phrase.of("backup.pg_list_failed", error=" ".join(listing.stderr.split())))
    entries = listing.stdout.splitlines()
    if schema is not None:  # exists already: do not create it, nor comment on it
        entries = [e for e in entries if not re.match(r"^\d+; \d+ \d+ (SCHEMA|COMMENT) - ", e)]
    toc = dump.with_suffix(".list")
    toc.write_text("\n".join(entries) + "\n", encoding="utf-8")
    done = subprocess.run([program, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                           f"--use-list={toc}", f"--dbname={url.database}", str(dump)],
                          env=_pg_env(url, env), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(Phrase.of("backup.pg_restore_failed", error=" ".join(done.stderr.split())))
    return schema or Phrase("backup.wrote.schema_created")


def _copy_private(src: Path, dst: Path) -> None:
    from durable import atomic_output

    dst.parent.mkdir(parents=True, exist_ok=True)
    with src.open("rb") as f, atomic_output(dst, 0o600) as out:
        shutil.copyfileobj(f, out, 1 << 20)


def _keys_in(files: dict[str, Path]) -> tuple:
    """The archive's personal-data and signing key sets, loaded (a BackupError when either does
    not: its checksum held, so it was written so, or made to look so)."""
    from privacy.errors import KeyringError
    from privacy.keys import Keyring
    from reports.signing import SigningKeyError, SigningKeys

    try:
        keyring = Keyring.from_document(files[PII_MEMBER].read_text(encoding="utf-8"), source=PII_MEMBER, toml=False)
    except (KeyringError, UnicodeDecodeError) as exc:
        raise BackupError(Phrase.of("backup.archive_pii_keys", why=said(exc))) from None
    try:
        signing = SigningKeys.from_document(files[SIGNING_MEMBER].read_bytes(), source=SIGNING_MEMBER)
    except SigningKeyError as exc:
        raise BackupError(Phrase.of("backup.archive_signing_keys", why=said(exc))) from None
    return keyring, signing


def _restore_keys(settings, keys: tuple, pii_target: Path) -> list[Phrase]:
    keyring, signing = keys
    for folder in {pii_target.parent, settings.signing_key_file.parent}:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    keyring.save(pii_target, overwrite=False)
    signing.save(settings.signing_key_file)
    return [Phrase.of("backup.wrote.pii_keys", path=pii_target, keys=tuple(keyring.key_ids),
                      current=keyring.current_id),
            Phrase.of("backup.wrote.signing_keys", path=settings.signing_key_file, keys=tuple(signing.key_ids),
                      current=signing.current_id)]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _package_version() -> str:
    try:
        return metadata.version("ykt-adapter")
    except metadata.PackageNotFoundError:
        return "unknown"
