"""Grids: the tree of places (county ... household unit)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictStr

from gateway.api.models.common import BodyId, Page, PageQuery, QueryId, absent, example

GRID_EXAMPLE = {
    "id": 2,
    "code": "623025101",
    "name": "齐哈玛镇",
    "level": "township",
    "parent_id": 1,
    "path": "/1/2/",
    "depth": 1,
}


class Grid(BaseModel):
    model_config = example(GRID_EXAMPLE)

    id: int
    code: str
    name: str
    level: str = Field(examples=["township"])
    parent_id: int | None
    path: str
    depth: int


class GridRef(BaseModel):
    id: int
    code: str
    name: str


class GridLeader(BaseModel):
    """A grid leader of the grid."""

    id: int
    name: str
    phone: str = Field(description="E.164")


class GridDetail(Grid):
    model_config = example(
        {
            **GRID_EXAMPLE,
            "ancestors": [{"id": 1, "code": "623025", "name": "玛曲县"}],
            "children_count": 6,
            "contacts_in_subtree": 812,
            "leaders": [{"id": 31, "name": "才让", "phone": "+8613800000031"}],
        }
    )

    ancestors: list[GridRef] = Field(description="from the root down, those in your scope")
    children_count: int
    contacts_in_subtree: int
    leaders: list[GridLeader]


class GridPage(Page[Grid]):
    model_config = example({"items": [GRID_EXAMPLE], "total": 1, "page": 1, "per_page": 50})


class GridQuery(PageQuery):
    parent_id: Annotated[QueryId | None, Field(description="only the children of this grid")] = None
    under_id: Annotated[QueryId | None, Field(description="only this grid's subtree")] = None
    level: Annotated[str | None, Field(description="only this level", examples=["village"])] = None
    q: Annotated[str | None, Field(description="name or code contains", examples=["齐哈玛"])] = None


class GridCreate(BaseModel):
    model_config = example({"code": "623025101201", "name": "秀玛村", "level": "village", "parent_id": 2})

    code: StrictStr = Field(description="unique code, e.g. an administrative code")
    name: StrictStr
    level: StrictStr = Field(description="county, township, village, group, unit (or 县, 乡镇, 村...)")
    parent_id: BodyId | None = None


class GridUpdate(BaseModel):
    model_config = example({"name": "齐哈玛镇（新）"})

    name: StrictStr = absent(description="new name")
    parent_id: BodyId = absent(description="move the grid and its subtree under this grid")
