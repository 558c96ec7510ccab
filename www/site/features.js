// The Features page as a tiny single-page app: tabs switch with history.pushState, Back/Forward with popstate.
const tabs = document.getElementById('tabs');
const show = () => {
  const tab = location.pathname.split('/')[2] ?? '';
  for (const panel of document.querySelectorAll('[data-panel]')) panel.hidden = panel.dataset.panel !== tab;
  for (const link of tabs.querySelectorAll('a')) link.classList.toggle('active', link.dataset.tab === tab);
  document.title = `${tab ? tab[0].toUpperCase() + tab.slice(1) : 'Features'} · Acme Analytics`;
};
tabs.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-tab]');
  if (!link) return;
  event.preventDefault();
  if (link.pathname !== location.pathname) history.pushState({}, '', link.pathname);
  show();
});
addEventListener('popstate', show);
show();
