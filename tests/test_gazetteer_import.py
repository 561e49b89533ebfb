"""Tests of `sitrep gazetteer add` on the other files users download: a GeoNames dump as GeoNames serves it (zipped,
allCountries with every feature class, filtered by class) and OCHA/HDX populated-places CSVs (their column names,
their HXL tag row, ISO3 country codes). The files are written here; the names and points are made up or general
knowledge."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from sitrep.errors import DataFileError
from sitrep.geo.gazetteer import Gazetteer, add_places
from test_gazetteer import build_small_gazetteer


@pytest.fixture(scope="module")
def small_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small_gazetteer(tmp_path_factory.mktemp("import"))


@pytest.fixture
def writable_gazetteer(small_path: Path, tmp_path: Path) -> Gazetteer:
    copy = tmp_path / "gazetteer.sqlite"
    shutil.copy(small_path, copy)
    return Gazetteer(copy)


def _row(*cols: object) -> str:
    return "\t".join(str(c) for c in cols)


# An allCountries-style dump: places of two countries, an admin area, a hill and an air base.
DUMP = "\n".join([
    _row(9100001, "Mintaqat Suran", "Mintaqat Suran", "", 35.2, 36.7, "A", "ADM2", "SY", "", "10", "02", "", "",
         0, "", 300, "Asia/Damascus", "2024-01-01"),
    _row(9100002, "Tall Qarmid", "Tall Qarmid", "Qarmid", 35.31, 36.72, "P", "PPL", "SY", "", "10", "02", "", "",
         1200, "", 300, "Asia/Damascus", "2024-01-01"),
    _row(9100003, "Jabal Zawrak", "Jabal Zawrak", "", 35.33, 36.5, "T", "HLL", "SY", "", "10", "", "", "",
         0, "", 700, "Asia/Damascus", "2024-01-01"),
    _row(9100004, "Matar Qarmid al-Askari", "Matar Qarmid al-Askari", "Qarmid Air Base", 35.3, 36.74, "S", "AIRB",
         "SY", "", "10", "", "", "", 0, "", 300, "Asia/Damascus", "2024-01-01"),
    _row(9100005, "Kibwezi Ndogo", "Kibwezi Ndogo", "", -2.4, 37.9, "P", "PPL", "KE", "", "", "", "", "",
         800, "", 900, "Africa/Nairobi", "2024-01-01"),
]) + "\n"  # fmt: skip


def test_import_zipped_geonames_dump_with_feature_classes(writable_gazetteer: Gazetteer, tmp_path: Path) -> None:
    archive = tmp_path / "allCountries.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "GeoNames readme: not places\n")
        zipped.writestr("allCountries.txt", DUMP)
    assert add_places(archive, gazetteer=writable_gazetteer, feature_classes={"P", "S"}) == 3
    village = writable_gazetteer.get(9100002)
    assert village is not None and village.admin2 == "Mintaqat Suran" and village.population == 1200
    base = writable_gazetteer.lookup("Qarmid Air Base", country="SY", fuzzy=False)
    assert base and base[0].geonameid == 9100004 and base[0].feature_code == "AIRB"
    assert writable_gazetteer.get(9100003) is None  # a hill: class T was not asked for
    assert writable_gazetteer.get(9100005) is not None  # another country of the same file


def test_import_dump_without_classes_takes_all_but_admin_areas(writable_gazetteer: Gazetteer, tmp_path: Path) -> None:
    dump = tmp_path / "allCountries.txt"
    dump.write_text(DUMP, encoding="utf-8")
    assert add_places(dump, gazetteer=writable_gazetteer) == 4
    assert writable_gazetteer.get(9100003) is not None and writable_gazetteer.get(9100001) is None


def test_import_dump_refuses_a_bad_line_after_good_ones(writable_gazetteer: Gazetteer, tmp_path: Path) -> None:
    dump = tmp_path / "SY.zip"
    bad = DUMP + _row(9100009, "Broken", "Broken", "", "north", 36.7, "P", "PPL", "SY", "", "10", "", "", "", 0, "",
                      1, "Asia/Damascus", "2024-01-01") + "\n"  # fmt: skip
    with zipfile.ZipFile(dump, "w") as zipped:
        zipped.writestr("SY.txt", bad)
    with pytest.raises(DataFileError, match=r"line 6\b"):
        add_places(dump, gazetteer=writable_gazetteer)
    assert writable_gazetteer.get(9100002) is None  # nothing of the file was added


# An OCHA/HDX populated-places file as data.humdata.org serves them: P-code columns, English and Arabic names, an
# HXL tag row under the header, X/Y coordinates.
HDX = """\
ADM0_EN,ADM0_PCODE,ADM1_EN,ADM1_PCODE,ADM4_EN,ADM4_AR,ADM4_PCODE,X,Y
#country+name+i_en,#country+code,#adm1+name+i_en,#adm1+code,#loc+name+i_en,#loc+name+i_ar,#loc+code,#geo+lon,#geo+lat
Syrian Arab Republic,SY,Hama,SY05,Tell Zawrak,تل زورك,C9901,36.61,35.29
Syrian Arab Republic,SY,Idleb,SY07,Kafr Qarmid,كفر قرمد,C9902,36.55,35.81
"""


def test_import_hdx_csv_by_its_hxl_tags(writable_gazetteer: Gazetteer, tmp_path: Path) -> None:
    csv_file = tmp_path / "syr_pplp_adm4_unocha.csv"
    csv_file.write_text(HDX, encoding="utf-8")
    assert add_places(csv_file, gazetteer=writable_gazetteer) == 2
    tell = writable_gazetteer.lookup("Tell Zawrak", country="SY", fuzzy=False)
    assert tell and tell[0].admin1 == "Hama" and (tell[0].latitude, tell[0].longitude) == (35.29, 36.61)
    kafr = writable_gazetteer.lookup("Kafr Qarmid", country="SY", fuzzy=False)
    assert kafr and kafr[0].admin1_code == writable_gazetteer.admin1_area("Idlib", "SY").admin1_code  # type: ignore[union-attr]


def test_import_hdx_csv_by_its_column_names_and_iso3(writable_gazetteer: Gazetteer, tmp_path: Path) -> None:
    csv_file = tmp_path / "ken_pplp.csv"
    csv_file.write_text("FeatureName,ISO3,Lat,Long,Pop\nKwa Ndogo,KEN,-2.41,37.95,1500\n", encoding="utf-8")
    assert add_places(csv_file, gazetteer=writable_gazetteer) == 1
    hits = writable_gazetteer.lookup("Kwa Ndogo", country="KE", fuzzy=False)
    assert hits and hits[0].population == 1500


def test_import_hdx_csv_bad_coordinates_name_the_line(writable_gazetteer: Gazetteer, tmp_path: Path) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(HDX.replace("36.55,35.81", "36.55,95.81"), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 4\b"):  # the header, the tag row, one good row, then this one
        add_places(csv_file, gazetteer=writable_gazetteer)
