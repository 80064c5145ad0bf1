"""The library: what is stored, for every interface (none of them reaches the store).

Articles listed, shown, edited and removed, the stories they make, export and import, and
answers saved for hand-over. `LibraryOps` is one part of `Newsdesk` (assistant/app.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from assistant.citations import quote_is_exact
from assistant.types import Answer
from ingest.types import Article, MetadataEdit
from vectorstore.types import ALL_ARTICLES, ArticleInfo, ArticleQuery, StoredArticle

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.handover.document import HandoverDocument
    from assistant.handover.saved import SavedAnswer
    from assistant.settings import Settings
    from assistant.stories.grouping import GroupedArticle
    from assistant.stories.listing import StoryList
    from vectorstore.store import ArticleStore
    from vectorstore.transfer import ImportReport


class LibraryOps:
    """The library's reads and changes, as methods of `Newsdesk`.

    Relies on Newsdesk for `settings` and `store`, and on `Intake._offer_samples` (a new
    store gets its sample articles before its first read)."""

    settings: Settings
    store: ArticleStore
    _offer_samples: Callable[[], None]

    def list_articles(self, query: ArticleQuery = ALL_ARTICLES) -> list[ArticleInfo]:
        """Stored articles, newest first, those `query` asks for; sample articles say so."""
        self._offer_samples()
        return self.store.list_articles(query)

    def article(self, article_id: str) -> StoredArticle | None:
        """One stored article with its full text, or None when there is none of that id."""
        self._offer_samples()
        return self.store.stored_article(article_id)

    def articles(self, article_ids: Sequence[str]) -> dict[str, Article]:
        """The stored articles of these ids (those that exist), e.g. to check quotes against."""
        return self.store.get_articles(article_ids)

    def grouped_articles(self, article_ids: Sequence[str]) -> list[GroupedArticle]:
        """These stored articles as story grouping reads them (assistant/stories/grouping.py):
        their vectors from the store, not embedded again; ids not stored are left out."""
        from assistant.stories.grouping import grouped_article

        articles = self.store.get_articles(article_ids)
        vectors = self.store.article_vectors(list(articles))
        return [grouped_article(articles[i], vectors[i]) for i in articles if i in vectors]

    def stories(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        source: str | None = None,
        limit: int = 20,
    ) -> StoryList:
        """The stories of a period (articles grouped by event across outlets and days),
        largest first, each with its outlets, first and last report, and the facts its
        outlets share and differ on, cited (assistant/stories/). With `source`, the stories
        that outlet reported. Samples only in a store of samples, as in `retrieve`."""
        from assistant.stories.listing import list_stories

        self._offer_samples()
        infos = self.store.list_articles()
        samples = self.store.sample_ids()
        if samples and len(infos) > len(samples):
            infos = [i for i in infos if not i.sample]
        return list_stories(infos, self.grouped_articles, self.articles, self.settings.stories,
                            since=since, until=until, source=source, limit=limit)  # fmt: skip

    def count_articles(self) -> int:
        return self.store.count_articles()

    def sample_count(self) -> int:
        return len(self.store.sample_ids())

    def edit_article(self, article_id: str, edit: MetadataEdit) -> StoredArticle | None:
        """Change an article's title, outlet or date; None when there is no such article."""
        if self.store.edit_metadata(article_id, edit) is None:
            return None
        return self.article(article_id)  # None: deleted meanwhile

    def remove_article(self, article_id: str) -> bool:
        """Delete an article and its chunks; False when there was none of that id."""
        return self.store.delete_article(article_id)

    def export(self, out: IO[str]) -> int:
        """Every article as JSON Lines (`newsdesk import` reads it back); how many."""
        from vectorstore.transfer import export_store

        return export_store(self.store, out)

    def import_file(self, path: Path) -> ImportReport:
        """Store the articles of an export; ExportFormatError (a ValueError) names the line."""
        from vectorstore.transfer import import_file

        return import_file(self.store, path)

    # Hand-over: answers saved with their citations under an unguessable id, for permalinks
    # and exports (assistant/handover), kept with the store so every process serves them.

    def save_answers(
        self, turns: Sequence[tuple[Answer, datetime]], title: str | None = None
    ) -> SavedAnswer:
        """Keep an answer (one (answer, asked at) turn) or a conversation as it is now; the
        saved record's `id` names its permalink. ValueError when there is nothing to keep."""
        from assistant.handover.saved import new_saved
        from vectorstore.saved_answers import new_id

        saved = new_saved(new_id(), turns, title)
        stamp = saved.saved_at.timestamp()
        self.store.saved_answers.put(saved.id, saved.kind, stamp, saved.to_data())
        return saved

    def saved_answer(self, saved_id: str) -> SavedAnswer | None:
        """A saved answer or conversation; None when there is none of that id."""
        from assistant.handover.saved import saved_of

        found = self.store.saved_answers.get(saved_id)
        return saved_of(found[1]) if found else None

    def saved_document(
        self, saved_id: str, permalink: str | None = None
    ) -> HandoverDocument | None:
        """A saved answer's hand-over document, each quote checked again against the library
        as it is now (one edited or removed since is marked so); None when there is none."""
        saved = self.saved_answer(saved_id)
        if saved is None:
            return None
        cited = sorted({c.article_id for answer, _ in saved.turns for c in answer.citations})
        articles = self.articles(cited)
        return saved.document(permalink, holds=lambda c: quote_is_exact(c, articles))

    def remove_saved_answer(self, saved_id: str) -> bool:
        """Take a saved answer (and its permalink) away; False when there was none. A
        conversation made from it keeps its own copy."""
        return self.store.saved_answers.delete(saved_id)
