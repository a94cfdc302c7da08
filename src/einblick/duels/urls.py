from django.urls import path

from .views import editor, game, public, share

app_name = "duels"

urlpatterns = [
    path("", public.index, name="index"),
    path("feed.xml", share.EpisodeFeed(), name="feed"),
    path("feed.atom", share.EpisodeAtomFeed(), name="feed_atom"),
    path("weiter/<int:challenge_pk>/<str:kind>/", public.meet, name="meet"),
    # class games
    path("klasse/", game.join, name="join"),
    path("klasse/<str:code>/", game.play, name="play"),
    path("spiel/<str:code>/", game.board, name="game"),
    path("spiel/<str:code>/stand.json", game.state, name="game_state"),
    path("spiel/<str:code>/beenden/", game.close, name="game_close"),
    # staff
    path("redaktion/", editor.index, name="editor"),
    path("redaktion/folge/neu/", editor.episode_edit, name="episode_new"),
    path("redaktion/folge/<int:pk>/", editor.episode_edit, name="episode_edit"),
    path("redaktion/folge/<int:pk>/aufgaben/", editor.challenges_edit, name="challenges_edit"),
    path("redaktion/folge/<int:pk>/veroeffentlichen/", editor.publish, name="publish"),
    path("redaktion/folge/<int:pk>/statistik/", editor.stats, name="stats"),
    path("redaktion/rangliste/<int:pk>/entfernen/", editor.leaderboard_hide, name="leaderboard_hide"),
    path("redaktion/rangliste/<int:pk>/behalten/", editor.leaderboard_restore, name="leaderboard_restore"),
    # public pages of a season and an episode
    path("<slug:season>/", public.season, name="season"),
    path("<slug:season>/rangliste/", public.leaderboard_join, name="leaderboard_join"),
    path("rangliste/<int:pk>/melden/", public.leaderboard_report, name="leaderboard_report"),
    path("<slug:season>/<slug:episode>/", public.episode, name="episode"),
    path("<slug:season>/<slug:episode>/tipp/<int:challenge_pk>/", public.guess, name="guess"),
    path("<slug:season>/<slug:episode>/abstimmen/", public.vote, name="vote"),
    path("<slug:season>/<slug:episode>/klassenspiel/", game.start, name="game_start"),
    path("<slug:season>/<slug:episode>/bild-<str:size>.png", share.image, name="share_image"),
    path("<slug:season>/<slug:episode>/karte/", share.card, name="card"),
    path("<slug:season>/<slug:episode>/qr.svg", share.qr, name="qr"),
]
