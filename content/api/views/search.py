"""Search (``search``): users and tickers by prefix, for a search box."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from accounts.models import User
from content.api.serializers.search import SearchQuerySerializer, SearchResultSerializer
from content.models import Ticker
from content.search import search_tickers, search_users
from core.schema import problems
from social.querysets import relationships_for


class SearchViewSet(ViewSet):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Search users and tickers",
        description=(
            "Prefix search ignoring case; a leading `$` or `#` in `q` is ignored. Both lists are always "
            "present (the one `type` leaves out is empty), each capped by `limit` and not paginated: this is "
            "a search box, refine the query to see more.\n\n"
            "Users, best first: the username is `q`, the username starts with `q`, the display name starts "
            "with `q`, a later word of the display name starts with `q`; within each, the most followed first. "
            "Only active, non-suspended users; users who blocked the viewer or whom the viewer blocked are left "
            "out. `viewer` flags as on a profile.\n\n"
            "Tickers, best first: the symbol is `q`, the symbol starts with `q` (shorter first), the company name "
            "or one of its words starts with `q`. Well-known symbols nobody has posted about yet are found too, "
            "with `post_count` 0. A symbol not on the reference list of listed symbols (`listed` false) is found "
            "only once enough distinct members have posted about it.\n\n"
            "A blank `q` (or only `$`/`#`), one over 100 characters, an unknown `type` or a `limit` outside "
            "1-50 is a 400 naming the parameter; an empty `type=` or `limit=` takes the default."
        ),
        parameters=[SearchQuerySerializer],
        responses={200: SearchResultSerializer, **problems(400, 401)},
    )
    def list(self, request: Request) -> Response:
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        term, kind, limit = params.validated_data["q"], params.validated_data["type"], params.validated_data["limit"]
        users: list[User] = []
        tickers: list[Ticker] = []
        if kind in ("all", "users"):
            users = search_users(term=term, viewer=request.user, limit=limit)
        if kind in ("all", "tickers"):
            tickers = search_tickers(term=term, limit=limit)
        context = {"request": request, "relationships": relationships_for(request.user, [u.pk for u in users])}
        return Response(SearchResultSerializer({"users": users, "tickers": tickers}, context=context).data)
