"""Back office of last resort for duels; the staff editor is /duell/redaktion/."""

from django.contrib import admin

from .models import (
    Challenge,
    ClassGame,
    Contestant,
    Episode,
    FunnelStep,
    Guess,
    LeaderboardEntry,
    Player,
    Season,
    Vote,
)


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "created_at"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]


class ContestantInline(admin.TabularInline):
    model = Contestant
    extra = 0
    max_num = 2


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["title", "season", "number", "publish_at"]
    list_filter = ["season"]
    search_fields = ["title", "teaser"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ContestantInline]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["task", "episode", "order", "profession", "company"]
    list_filter = ["episode__season"]
    search_fields = ["task", "apprentice"]
    raw_id_fields = ["company", "profession", "decoys"]
    list_select_related = ["episode__season", "profession", "company"]


@admin.register(LeaderboardEntry)
class LeaderboardEntryAdmin(admin.ModelAdmin):
    list_display = ["nickname", "season", "hidden", "created_at"]
    list_filter = ["hidden", "season"]
    search_fields = ["nickname"]
    list_editable = ["hidden"]


@admin.register(Guess)
class GuessAdmin(admin.ModelAdmin):
    list_display = ["challenge", "choice", "correct", "created_at"]
    list_filter = ["correct"]
    raw_id_fields = ["challenge", "choice", "game"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["episode", "contestant", "created_at"]
    raw_id_fields = ["episode", "contestant"]


@admin.register(ClassGame)
class ClassGameAdmin(admin.ModelAdmin):
    list_display = ["code", "episode", "teacher", "created_at", "closed_at"]
    raw_id_fields = ["episode", "teacher"]


@admin.register(Player)
class PlayerAdmin(admin.ModelAdmin):
    list_display = ["nickname", "game"]
    raw_id_fields = ["game"]


@admin.register(FunnelStep)
class FunnelStepAdmin(admin.ModelAdmin):
    list_display = ["episode", "kind", "channel", "day", "count"]
    list_filter = ["kind", "day"]
    raw_id_fields = ["episode", "challenge"]
