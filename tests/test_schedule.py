"""``inboxcoach schedule``: a crontab line and systemd units with this installation's paths."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

from inboxcoach.cli import main
from inboxcoach.schedule import crontab, systemd_units


def test_crontab_line_is_hourly_quiet_and_absolute(tmp_path: Path, state_dir: Path):
    line = crontab(Path("config.toml"), tmp_path / "run.log")
    fields = shlex.split(line)
    assert fields[:5] == ["17", "*", "*", "*", "*"]
    assert f"INBOXCOACH_STATE_DIR={state_dir.resolve()}" in fields
    assert fields[fields.index("run") + 1] == "--quiet"
    config = fields[fields.index("--config") + 1]
    assert Path(config).is_absolute() and config.endswith("config.toml")
    assert fields[fields.index("--log-file") + 1] == str(tmp_path / "run.log")


def test_systemd_units_parse_and_treat_a_busy_lock_as_success(tmp_path: Path):
    units = systemd_units(tmp_path / "config.toml", tmp_path / "run.log")
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.read_string(units["inboxcoach.service"])
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["SuccessExitStatus"] == "5 143"
    assert " run --quiet --config " in service["Service"]["ExecStart"]
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read_string(units["inboxcoach.timer"])
    assert timer["Timer"]["OnCalendar"] == "hourly" and timer["Timer"]["Persistent"] == "true"


def test_schedule_command_checks_the_config_first(tmp_path: Path, capsys):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[[accounts]]\nkind = "eml"\npath = "."\n')
    assert main(["schedule", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "crontab -e" in out and "systemctl --user enable --now inboxcoach.timer" in out
    assert main(["schedule", "--config", str(tmp_path / "missing.toml")]) == 2


def test_schedule_refuses_the_unedited_example_config(tmp_path: Path, capsys, monkeypatch):
    """The example's server does not exist: schedule runs check's checks and schedules
    nothing, where it used to print a crontab line for a config that can never work."""
    example = (Path(__file__).parent.parent / "config.example.toml").read_text("utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(example)
    cfg.chmod(0o600)
    monkeypatch.setenv("INBOXCOACH_STATE_DIR", str(tmp_path / "state"))
    code = main(["schedule", "--config", str(cfg)])
    out, err = capsys.readouterr()
    assert code in (2, 3) and "crontab -e" not in out and "nothing was scheduled" in err
