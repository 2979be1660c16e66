"""FIT importer: every FIT row of REFERENCE.csv, legs, channels, damage, fuzzing."""

from __future__ import annotations

import logging
import struct
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from fitdecode.utils import compute_crc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import ACTIVITIES_DIR
from tests.helpers.shared import reference_files, utc

from backstride.domain.activity import Activity, Sport
from backstride.domain.elevation import ascent_descent
from backstride.domain.summary import summarize
from backstride.errors import (
    ActivityFileError,
    CorruptFileError,
    NoActivityError,
    UnsupportedFormatError,
)
from backstride.fit.decode import FitFile, decode
from backstride.fit.profile import enum_name
from backstride.importers.fit import parse_fit, sport_of


def _read(activities_dir: Path, file: str) -> tuple[bytes, list[Activity]]:
    raw = (activities_dir / file).read_bytes()
    return raw, parse_fit(raw, source=file)


def _transitions(fit: FitFile) -> list[int]:
    sessions = fit["session"]
    return [i for i in range(len(sessions))
            if enum_name("sport", sessions.value("sport", i)) == "transition"]


#: Reference sport names -> ours (transition legs are dropped; generic, rowing -> other).
_REF_SPORT = {"running": {Sport.RUNNING, Sport.TRAIL_RUNNING, Sport.TREADMILL},
              "walking": {Sport.WALKING}, "cycling": {Sport.CYCLING},
              "swimming": {Sport.SWIMMING}, "generic": {Sport.OTHER}, "rowing": {Sport.OTHER}}

#: The first session of this file says it starts at 08:00:01, but its first record and
#: its first lap start at 07:14:44 and its own end (timestamp) minus its elapsed time
#: gives 07:14:45: the importer keeps those 45 min of records in the leg and starts
#: the leg at its first record. REFERENCE.csv takes the session's start_time.
EARLY_RECORDS_START = ("python-fitparse/activity-large-fenxi2-multisport.fit",
                       datetime(2015, 8, 29, 7, 14, 44, tzinfo=UTC))

#: fitdecode cannot read past byte 14 of this file (header claims 0 data bytes), so
#: the reference row is empty; backstride reads the 2319 records that follow.
UNREADABLE_FOR_REFERENCE = "sports-lib/malformed/broken.fit"


@pytest.mark.parametrize("file", reference_files("fit"))
def test_matches_reference(file: str, activities_dir: Path, reference_rows: list) -> None:
    row = next(r for r in reference_rows if r.file == file)
    raw, acts = _read(activities_dir, file)
    fit = decode(raw)
    sessions = fit["session"]
    transitions = _transitions(fit)
    assert [a.leg_index for a in acts] == list(range(len(acts)))
    assert len(acts) == max(len(sessions) - len(transitions), 1)

    if file == UNREADABLE_FOR_REFERENCE:
        assert row.elapsed_s is None and row.n_records == 0
        (act,) = acts
        assert act.streams.n_samples == 2319
        assert act.summary.elapsed_s == 2318.0
        assert any("declares 0 data bytes" in w for w in act.warnings)
        return

    def transition_total(field: str) -> float:
        return sum(sessions.value(field, i) or 0.0 for i in transitions)

    # sport set: the reference lists the distinct session sports in order of appearance
    # (transition legs are dropped here; generic and rowing are OTHER)
    if row.sport:
        wanted = [_REF_SPORT[s] for s in row.sport.split("+") if s != "transition"]
        ours = list(dict.fromkeys(a.sport for a in acts))
        assert len(ours) == len(wanted)
        for sport, allowed in zip(ours, wanted, strict=True):
            assert sport in allowed
    else:  # no session: sport from the sport message, else OTHER
        assert len(acts) == 1

    # start
    starts = [a.start_utc for a in acts]
    if not row.start_utc:
        assert starts == [None]  # relative timestamps (Forerunner 70)
    elif file == EARLY_RECORDS_START[0]:
        assert starts[0] == EARLY_RECORDS_START[1]
    else:
        assert starts[0] == utc(row.start_utc)

    # elapsed and distance: the reference sums every session, transitions included
    elapsed = sum(a.summary.elapsed_s for a in acts) + transition_total("total_elapsed_time")
    assert row.elapsed_s is not None
    assert elapsed == pytest.approx(row.elapsed_s, rel=0.005, abs=0.1)
    distance = sum(a.summary.distance_m or 0.0 for a in acts) + transition_total("total_distance")
    assert row.distance_m is not None
    assert distance == pytest.approx(row.distance_m, rel=0.005, abs=0.1)

    # ascent
    if row.ascent_m is not None:
        ascent = sum(a.summary.ascent_m or 0.0 for a in acts) + transition_total("total_ascent")
        if "ascent = raw sum" in row.notes and not len(sessions.column("total_ascent") or []):
            # no device total: the reference sums the raw rises of the records; backstride
            # applies its one smoothing rule (domain.elevation), which can only lower it
            # (the Strava app's GPS altitude: 54.2 m raw, 33.7 m smoothed)
            (act,) = acts
            assert act.summary.ascent_m == ascent_descent(act.streams["altitude_m"])[0]
            assert ascent <= row.ascent_m + 0.1
            assert ascent >= 0.6 * row.ascent_m
        else:
            assert ascent == pytest.approx(row.ascent_m, abs=0.6)

    # heart rate: the reference weights the sessions' averages by timer time
    if row.avg_hr is not None:
        weighted = [(a.summary.avg_hr_bpm, a.summary.moving_s or a.summary.elapsed_s)
                    for a in acts if a.summary.avg_hr_bpm is not None]
        weighted += [(sessions.value("avg_heart_rate", i), sessions.value("total_timer_time", i))
                     for i in transitions if sessions.value("avg_heart_rate", i) is not None]
        hr = sum(h * t for h, t in weighted) / sum(t for _, t in weighted)
        assert hr == pytest.approx(row.avg_hr, abs=1.0)

    # cadence (steps/min) of the running (and walking) legs
    feet = [a for a in acts if a.sport.is_running or a.sport is Sport.WALKING]
    if row.avg_cadence_spm is not None:
        cad = [(a.summary.avg_cadence_spm, a.summary.moving_s or 1.0) for a in feet
               if a.summary.avg_cadence_spm is not None]
        mean = sum(c * t for c, t in cad) / sum(t for _, t in cad)
        assert mean == pytest.approx(row.avg_cadence_spm, abs=1.0)
    for act in acts:
        if act.sport in (Sport.CYCLING, Sport.SWIMMING, Sport.OTHER):
            assert act.summary.avg_cadence_spm is None
            assert "cadence_spm" not in act.streams

    assert any(a.has_running_dynamics for a in acts) is row.has_running_dynamics


@pytest.mark.parametrize("file", reference_files("fit"))
def test_activity_contract(file: str, activities_dir: Path) -> None:
    raw, acts = _read(activities_dir, file)
    warnings = decode(raw).warnings
    for act in acts:
        assert act.source_format == "fit"
        assert act.warnings == warnings
        t = act.streams["time_s"]
        if len(t):
            assert t[0] >= 0.0
            assert np.all(np.diff(t) > 0)  # deduplicated by timestamp
        for name in act.streams:
            assert np.isfinite(act.streams[name]).any()
        for lap in act.laps:
            assert lap.elapsed_s >= 0


def test_multisport_legs(activities_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    file = "GoldenCheetah/MultiSport-2019-11-24.fit"
    with caplog.at_level(logging.INFO, logger="backstride.importers.fit"):
        raw, acts = _read(activities_dir, file)
    assert [a.sport for a in acts] == [Sport.SWIMMING, Sport.CYCLING, Sport.RUNNING]
    assert sum("transition leg" in r.message for r in caplog.records) == 2
    fit = decode(raw)
    for act, session in zip(acts, [0, 2, 4], strict=True):
        start = fit["session"].value("start_time", session)
        assert act.start_utc == datetime.fromtimestamp(631065600 + start, UTC)
        t = act.streams["time_s"]
        assert t[-1] <= act.summary.elapsed_s + 60
        dist = act.streams["distance_m"]
        assert dist[np.isfinite(dist)][0] == 0.0  # distance restarts in every leg
        assert act.laps and all(lap.start_utc and lap.start_utc >= act.start_utc
                                for lap in act.laps)
    n_laps = len(fit["lap"])
    assert sum(len(a.laps) for a in acts) == n_laps - 2  # the two transition laps
    # running dynamics are in the running leg; the Stryd developer power is not used,
    # because the file has native (bike) power
    assert acts[2].has_running_dynamics
    assert "power_w" in acts[1].streams and "power_w" not in acts[2].streams


def test_developer_power_only_without_native_power(activities_dir: Path) -> None:
    file = "GoldenCheetah/3386684871.fit"
    raw, (act,) = _read(activities_dir, file)
    dev = decode(raw)["record"].column("Power", developer=True)
    assert dev is not None
    np.testing.assert_array_equal(act.streams["power_w"], dev)
    raw, (act,) = _read(activities_dir, "python-fitparse/developer-types-sample.fit")
    native = decode(raw)["record"].column("power")
    np.testing.assert_array_equal(act.streams["power_w"], native)


def test_running_cadence_is_doubled_with_its_fraction(activities_dir: Path) -> None:
    raw, (act,) = _read(activities_dir, "python-fitparse/garmin-fenix-5-run.fit")
    rec = decode(raw)["record"]
    cadence, fraction = rec.column("cadence"), rec.column("fractional_cadence")
    assert cadence is not None and fraction is not None
    np.testing.assert_allclose(act.streams["cadence_spm"],
                               2 * (cadence + np.nan_to_num(fraction)))
    assert act.summary.avg_cadence_spm == pytest.approx(167.3, abs=0.05)
    assert act.device == "garmin/fenix5"
    assert act.utc_offset_s == -7 * 3600
    assert set(act.streams) >= {"ground_contact_time_ms", "ground_contact_balance_pct",
                                "vertical_oscillation_mm", "vertical_ratio_pct",
                                "step_length_mm"}
    _, (bike,) = _read(activities_dir, "python-fitparse/garmin-fenix-5-bike.fit")
    assert "cadence_spm" not in bike.streams and bike.summary.avg_cadence_spm is None


def test_records_with_one_timestamp_merge(activities_dir: Path) -> None:
    file = "python-fitparse/malformed/strava-android-app-201.10-b1218918.fit"
    raw, (act,) = _read(activities_dir, file)
    rec = decode(raw)["record"]
    ts = rec.column("timestamp")
    assert ts is not None
    start = datetime.fromtimestamp(631065600 + ts[0], UTC)
    assert act.start_utc == start
    # 473 records, two per second: one sample per timestamp; the last record, right
    # before the damage, has a garbage time 64 years ahead (beyond the session's end)
    assert len(np.unique(ts[:-1])) == act.streams.n_samples
    lat = rec.column("position_lat")
    assert lat is not None
    for k, t in enumerate(act.streams["time_s"][:50]):
        same = np.flatnonzero(ts == ts[0] + t)
        values = lat[same][np.isfinite(lat[same])]
        want = values[-1] * 180 / 2**31 if len(values) else np.nan
        np.testing.assert_equal(act.streams["latitude_deg"][k], want)  # later value wins
    assert len(act.warnings) == 2


def test_backwards_timestamps_are_dropped(activities_dir: Path) -> None:
    raw, acts = _read(activities_dir, "python-fitparse/activity-large-fenxi2-multisport.fit")
    ts = decode(raw)["record"].column("timestamp")
    assert ts is not None
    back = int(np.sum(ts[1:] < np.maximum.accumulate(ts)[:-1]))
    assert back == 2
    kept = sum(a.streams.n_samples for a in acts)
    assert kept < len(np.unique(ts))


def test_relative_timestamps_have_no_start(activities_dir: Path) -> None:
    _, (act,) = _read(activities_dir, "python-fitparse/compressed-speed-distance.fit")
    assert act.start_utc is None
    assert act.streams["time_s"][0] == 0.0
    assert all(lap.start_utc is None for lap in act.laps) and len(act.laps) == 11
    assert act.device == "garmin/fr70"


#: Malformed FIT files: (sports of the legs, warning fragments every leg carries).
MALFORMED = {
    "python-fitparse/malformed/nick.fit": (
        [Sport.CYCLING], ["decoding stopped at byte 403437"]),
    "python-fitparse/malformed/strava-android-app-201.10-b1218918.fit": (
        [Sport.RUNNING], ["file truncated", "local message type 11, which is not defined"]),
    "python-fitparse/malformed/coros-pace-2-cycling-misaligned-fields.fit": (
        [Sport.CYCLING], ["size 1 does not fit its type uint32"]),
    "python-fitparse/malformed/elemnt-bolt-no-application-id-inside-developer-data-id.fit": (
        [Sport.CYCLING], []),
    "tormoder-fit/malformed/unterminated-strings.fit": ([Sport.CYCLING], []),
    "sports-lib/malformed/broken.fit": (
        [Sport.OTHER], ["declares 0 data bytes", "incomplete message at byte 86008"]),
    "gpsbabel/malformed/lezyne_super_gps-garmin_fit-sample-bad-endian.fit": (
        [Sport.CYCLING], ["invalid architecture byte 229"]),
}


@pytest.mark.parametrize("file", sorted(MALFORMED))
def test_malformed_files_keep_what_can_be_trusted(
    file: str, activities_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sports, fragments = MALFORMED[file]
    with caplog.at_level(logging.WARNING, logger="backstride.importers.fit"):
        _, acts = _read(activities_dir, file)
    assert [a.sport for a in acts] == sports
    for act in acts:
        assert act.streams.n_samples > 0
        text = "\n".join(act.warnings)
        assert all(fragment in text for fragment in fragments), act.warnings
        if not fragments:
            assert act.warnings == ()
    logged = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(logged) == (1 if fragments else 0)
    if fragments:
        assert logged[0].getMessage().startswith(f"{file}: ")


def test_file_without_sessions_is_one_summarised_activity(activities_dir: Path) -> None:
    _, (act,) = _read(activities_dir, "python-fitparse/malformed/nick.fit")
    assert act.sport is Sport.CYCLING  # from the sport message
    assert act.summary == summarize(act.streams, Sport.CYCLING)
    assert any("decoding stopped at byte 403437" in w for w in act.warnings)


@pytest.mark.parametrize(("sport", "sub", "want"), [
    ("running", "trail", Sport.TRAIL_RUNNING), ("running", "treadmill", Sport.TREADMILL),
    ("running", "street", Sport.RUNNING), ("walking", None, Sport.WALKING),
    ("hiking", None, Sport.HIKING), ("cycling", "road", Sport.CYCLING),
    ("swimming", "lap_swimming", Sport.SWIMMING), ("swimming", "open_water", Sport.SWIMMING),
    ("generic", None, Sport.OTHER), ("rowing", None, Sport.OTHER),
    ("cross_country_skiing", None, Sport.OTHER), ("fitness_equipment", "treadmill",
                                                   Sport.TREADMILL),
])
def test_sport_mapping(sport: str, sub: str | None, want: Sport) -> None:
    assert sport_of(sport, sub) is want


# -- tiny built files ---------------------------------------------------------------------------

T0 = 1_000_000_000


def _fit(*messages: bytes) -> bytes:
    body = b"".join(messages)
    head = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    head += struct.pack("<H", compute_crc(head))
    return head + body + struct.pack("<H", compute_crc(head + body))


def _define(local: int, mesg: int, fields: list[tuple[int, int, int]]) -> bytes:
    return bytes([0x40 | local, 0, 0]) + struct.pack("<HB", mesg, len(fields)) + b"".join(
        bytes(f) for f in fields)


FILE_ID = _define(0, 0, [(0, 1, 0x00), (1, 2, 0x84)]) + bytes([0, 4]) + struct.pack("<H", 255)
RECORDS = _define(1, 20, [(253, 4, 0x86), (3, 1, 0x02), (5, 4, 0x86), (4, 1, 0x02)])
SESSION = _define(2, 18, [(2, 4, 0x86), (7, 4, 0x86), (5, 1, 0x00), (6, 1, 0x00)])


def _record(t: int, hr: int, dist_cm: int, cad: int = 80) -> bytes:
    return bytes([1]) + struct.pack("<IBIB", t, hr, dist_cm, cad)


def _session(start: int, elapsed_ms: int, sport: int, sub: int = 0) -> bytes:
    return bytes([2]) + struct.pack("<IIBB", start, elapsed_ms, sport, sub)


def test_built_file_relative_time_without_session() -> None:
    raw = _fit(FILE_ID, RECORDS, *(_record(17_000_000 + k, 120 + k, 300 * k) for k in range(5)))
    (act,) = parse_fit(raw, source="rel.fit")
    assert act.start_utc is None
    assert act.sport is Sport.OTHER
    assert act.device == "development"
    assert act.streams["time_s"].tolist() == [0, 1, 2, 3, 4]
    assert "cadence_spm" not in act.streams  # not a foot sport
    assert act.summary.distance_m == 12.0


def test_built_multisport_with_transition_and_treadmill() -> None:
    recs = [_record(T0 + k, 100 + k % 50, 250 * k) for k in range(300)]
    raw = _fit(FILE_ID, RECORDS, *recs, SESSION,
               _session(T0, 100_000, 1, 1), _session(T0 + 100, 50_000, 3),
               _session(T0 + 150, 150_000, 11))
    run, walk = parse_fit(raw, source="multi.fit")
    assert (run.sport, run.leg_index, walk.sport, walk.leg_index) == (
        Sport.TREADMILL, 0, Sport.WALKING, 1)
    assert run.streams.n_samples == 100 and walk.streams.n_samples == 150
    assert walk.start_utc == datetime.fromtimestamp(631065600 + T0 + 150, UTC)
    assert run.streams["cadence_spm"][0] == 160.0  # 2 x 80 strides/min
    assert walk.streams["distance_m"][0] == 0.0
    assert run.summary.elapsed_s == 100.0  # session totals win
    assert run.summary.moving_s == 99.0  # computed from the streams (no timer time)


def test_built_file_with_a_repeated_session_summary() -> None:
    recs = [_record(T0 + k, 120, 300 * k) for k in range(60)]
    session = _session(T0, 59_000, 1)
    (act,) = parse_fit(_fit(FILE_ID, RECORDS, *recs, SESSION, session, session), source="x")
    assert act.streams.n_samples == 60 and act.summary.elapsed_s == 59.0


def test_built_file_errors_name_the_source() -> None:
    with pytest.raises(UnsupportedFormatError, match=r"^x\.gpx: not a FIT file"):
        parse_fit(b"<gpx></gpx>", source="x.gpx")
    with pytest.raises(CorruptFileError, match=r"^empty\.fit: no FIT message"):
        parse_fit(_fit(), source="empty.fit")
    with pytest.raises(NoActivityError, match=r"^settings\.fit: .*without sessions"):
        parse_fit(_fit(FILE_ID), source="settings.fit")
    only_transition = _fit(FILE_ID, RECORDS, _record(T0, 100, 0), SESSION,
                           _session(T0, 10_000, 3))
    with pytest.raises(NoActivityError, match="only transition legs"):
        parse_fit(only_transition, source="t.fit")


# -- fuzzing ------------------------------------------------------------------------------------


def _fuzz_sources() -> list[bytes]:
    base = ACTIVITIES_DIR
    names = ["python-fitparse/garmin-fenix-5-run.fit",
             "python-fitparse/compressed-speed-distance.fit",
             "python-fitparse/sample_mulitple_header.fit",
             "tormoder-fit/malformed/unterminated-strings.fit",
             "gpsbabel/malformed/lezyne_super_gps-garmin_fit-sample-bad-endian.fit"]
    return [(base / n).read_bytes() for n in names if (base / n).is_file()]


_SOURCES = _fuzz_sources()


def _parse_or_file_error(raw: bytes) -> None:
    try:
        acts = parse_fit(raw, source="fuzz.fit")
    except ActivityFileError as exc:
        assert str(exc).startswith("fuzz.fit: ")
        assert "could not read the FIT data" not in str(exc), exc  # no internal error
        return
    for act in acts:
        assert act.start_utc is None or act.start_utc.tzinfo is not None


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_fuzz_random_bytes(blob: bytes) -> None:
    logging.disable(logging.WARNING)
    try:
        _parse_or_file_error(blob)
        _parse_or_file_error(_fit(blob))
        _parse_or_file_error(_fit(FILE_ID, RECORDS, blob))
    finally:
        logging.disable(logging.NOTSET)


@pytest.mark.skipif(not _SOURCES, reason="shared activity files absent")
@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_real_files(draw: st.DataObject) -> None:
    raw = bytearray(draw.draw(st.sampled_from(_SOURCES)))
    kind = draw.draw(st.sampled_from(["flip", "truncate", "splice", "overwrite"]))
    n = len(raw)
    if kind == "flip":
        for _ in range(draw.draw(st.integers(1, 16))):
            i = draw.draw(st.integers(0, n - 1))
            raw[i] ^= 1 << draw.draw(st.integers(0, 7))
    elif kind == "truncate":
        raw = raw[: draw.draw(st.integers(0, n))]
    elif kind == "splice":
        other = draw.draw(st.sampled_from(_SOURCES))
        a, b = sorted(draw.draw(st.lists(st.integers(0, n), min_size=2, max_size=2)))
        c = draw.draw(st.integers(0, len(other)))
        raw = raw[:a] + other[c : c + draw.draw(st.integers(0, 2000))] + raw[b:]
    else:
        i = draw.draw(st.integers(0, n - 1))
        raw[i : i + 16] = draw.draw(st.binary(min_size=16, max_size=16))
    logging.disable(logging.WARNING)
    try:
        _parse_or_file_error(bytes(raw))
    finally:
        logging.disable(logging.NOTSET)
