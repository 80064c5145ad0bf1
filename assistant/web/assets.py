"""The page's CSS and its one script: clicking a citation marker brings its source into view."""

CSS = """
.gradio-container { max-width: 1200px !important; margin: auto; }
#nd-title h1 { margin-bottom: 0; }
.nd-cite { font-weight: 600; text-decoration: none; cursor: pointer; padding: 0 1px; }
.nd-rewritten, .nd-note, .nd-meta { font-size: 0.85em; opacity: 0.75; }
.nd-abstain { border-left: 4px solid #d97706; padding: 4px 10px;
  background: #fef3c7; color: #78350f; }
.nd-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin: 8px 0; transition: box-shadow .3s, background .3s; }
.nd-source.nd-flash { box-shadow: 0 0 0 3px #f59e0b; background: #fffbeb; }
.nd-source-head { font-weight: 600; }
.nd-sample { display: inline-block; font-size: 0.85em; padding: 0 6px; border-radius: 6px;
  background: #e0e7ff; color: #3730a3; }
.nd-library-counts { font-size: 0.9em; margin: 4px 0; }
.nd-confirm-text { font-weight: 600; }
.nd-feed { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px;
  margin: 6px 0; font-size: 0.92em; }
.nd-feed-state { display: inline-block; font-size: 0.8em; border-radius: 10px; padding: 0 8px; }
.nd-feed-ok { background: #dcfce7; color: #14532d; }
.nd-feed-new { background: #e0e7ff; color: #3730a3; }
.nd-feed-failing { background: #fee2e2; color: #7f1d1d; }
.nd-feed-syncing { background: #fef9c3; color: #713f12; }
.nd-watch, .nd-story { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 6px 10px; margin: 6px 0; font-size: 0.92em; }
.nd-watch-new, .nd-watch-badge { display: inline-block; font-size: 0.85em; border-radius: 10px;
  padding: 0 8px; background: #fef3c7; color: #78350f; font-weight: 600; }
.nd-watch-change summary { cursor: pointer; margin-top: 4px; }
.nd-watch-cites blockquote { margin: 2px 0 4px; }
.nd-num { color: var(--color-accent); }
.nd-context { margin: 6px 0 0; padding-left: 8px;
  border-left: 3px solid var(--border-color-primary);
  font-size: 0.92em; line-height: 1.45; }
.nd-context mark { background: #fde68a; color: #111; padding: 0 2px; }
.nd-empty { opacity: 0.75; }
.nd-sources details summary { cursor: pointer; opacity: 0.75; margin-top: 8px; }
.nd-turn h4 { margin: 4px 0; }
.nd-article p { margin: 0 0 0.6em; }
.nd-full summary { cursor: pointer; font-size: 0.85em; opacity: 0.8; margin-top: 6px; }
.nd-full-text { font-size: 0.9em; line-height: 1.45; max-height: 360px; overflow-y: auto;
  padding: 6px 8px; border-left: 3px solid var(--border-color-primary); }
.nd-full-text mark { background: #fde68a; color: #111; }
.nd-answer mark.nd-span { background: transparent; color: inherit; font-weight: 700;
  text-decoration: underline; text-decoration-color: #f59e0b; text-underline-offset: 3px; }
.nd-support { display: inline-block; font-size: 0.8em; border-radius: 10px; padding: 0 8px;
  margin-top: 4px; }
.nd-support-strong { background: #dcfce7; color: #14532d; }
.nd-support-weak { background: #fef3c7; color: #78350f; }
.nd-session-line { font-size: 0.85em; text-align: right; opacity: 0.8; }
#nd-sources-panel { max-height: 640px; overflow-y: auto; }
@media (max-width: 700px) {
  .gradio-container { padding: 4px !important; }
  #nd-sources-panel { max-height: none; }
  #nd-examples button { flex: 1 1 100%; }
}
"""

HEAD = """
<script>
window.addEventListener('click', function (e) {
  var a = e.target && e.target.closest ? e.target.closest('a.nd-cite, a[href^="#nd-src-"]') : null;
  if (!a) return;
  var target = document.getElementById((a.getAttribute('href') || '').slice(1));
  e.preventDefault();
  e.stopPropagation();
  if (!target) return;
  var folded = target.closest('details');
  if (folded) folded.open = true;
  target.scrollIntoView({behavior: 'smooth', block: 'center'});
  // The quote's whole card lights up: one card holds every quote from its article.
  var card = target.closest('.nd-source') || target;
  card.classList.add('nd-flash');
  setTimeout(function () { card.classList.remove('nd-flash'); }, 1800);
}, true);
</script>
"""
