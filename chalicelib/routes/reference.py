"""Reference data the forms and clients need: agencies with their units, categories, regions."""
from __future__ import annotations

from chalice import Blueprint

from .. import wiring
from ..adapters import regions as regions_data
from ..http import guarded

bp = Blueprint(__name__)


@bp.route("/agencies", methods=["GET"])
@guarded
def list_agencies():
    return {"agencies": [
        {"id": a.id, "name": a.name, "province_code": a.province_code, "regency_code": a.regency_code,
         "units": [{"id": u.id, "name": u.name} for u in a.units]}
        for a in wiring.directory().agencies()
    ]}


@bp.route("/categories", methods=["GET"])
@guarded
def list_categories():
    return {"categories": wiring.directory().categories()}


@bp.route("/regions", methods=["GET"])
@guarded
def list_regions():
    return regions_data.regions()
