// Journey: a family compares three of its favourites side by side, writes a private note on
// one, finds it again, and prints the comparison — with JavaScript and without.
import { expect, signInAs, test, throwawayFamily } from './fixtures.ts';
import { checkBothWidths, expectNoOverflowOrClipping } from './layout-check.ts';

for (const javaScriptEnabled of [true, false]) {
  test(`a family compares three favourites and keeps a note (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async ({
    browser,
    portal,
    axe,
  }) => {
    const context = await browser.newContext({ baseURL: portal.url, javaScriptEnabled });
    const page = await context.newPage();
    const email = await throwawayFamily(portal, 'comparaison');
    const picked = (
      await portal.sql.execute(
        "SELECT id, title FROM offers WHERE status = 'published' AND kind = 'home' ORDER BY id LIMIT 3",
      )
    ).rows.map((r) => ({ id: Number(r.id), title: String(r.title) }));
    await portal.sql.execute({
      sql: `INSERT INTO favourites (user_id, offer_id, created_at)
            SELECT u.id, o.id, '2026-12-01T00:00:00Z' FROM users u, offers o
            WHERE u.email = ? AND o.status = 'published' AND o.kind = 'home' AND o.id <= ?`,
      args: [email, picked[2]!.id],
    });
    await signInAs(page, email);
    await page.goto('/compte/favoris');
    // On a phone, where each card's whole-surface link once lay over its "Compare" box.
    await page.setViewportSize({ width: 360, height: 780 });
    for (const offer of picked) await page.getByRole('checkbox', { name: `Comparer ${offer.title}` }).check();
    await page.getByRole('button', { name: 'Comparer la sélection' }).click();
    // In the order of the list (the newest favourite first), as ticked.
    const shown = [...picked].reverse();
    await expect(page).toHaveURL(new RegExp(`/compte/comparer\\?${shown.map((o) => `offres=${o.id}`).join('&')}$`));
    const table = page.getByTestId('comparison');
    await expect(table.locator('thead th')).toHaveText(shown.map((o) => o.title));
    await expect(table.getByRole('rowheader', { name: 'Étiquette de connectivité' })).toBeVisible();
    await expect(table.getByRole('rowheader', { name: 'Tiers-lieu fibré le plus proche' })).toBeVisible();
    // The nearest station of each commune, with its distance.
    await expect(
      table
        .getByRole('row', { name: /^Gare la plus proche/ })
        .getByRole('cell')
        .first(),
    ).toHaveText(/ · \d+(,\d)?\u00a0?km$/);

    // A note, saved and found again on the same comparison.
    const note = table.getByLabel(`Ma note sur «\u00a0${picked[1]!.title}\u00a0»`);
    await note.fill('Visiter en mars ; école à vérifier');
    await note.locator('xpath=ancestor::form').getByRole('button', { name: 'Enregistrer la note' }).click();
    await expect(page.getByRole('status')).toHaveText('Note enregistrée.');
    await expect(table.getByLabel(`Ma note sur «\u00a0${picked[1]!.title}\u00a0»`)).toHaveValue(
      'Visiter en mars ; école à vérifier',
    );
    // Too long: refused, what was typed kept, nothing saved.
    const long = 'x'.repeat(1001);
    await note.evaluate((el, v) => {
      el.removeAttribute('maxlength');
      (el as HTMLTextAreaElement).value = v;
    }, long);
    if (javaScriptEnabled) {
      await note.locator('xpath=ancestor::form').getByRole('button', { name: 'Enregistrer la note' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await expect(table.getByLabel(`Ma note sur «\u00a0${picked[1]!.title}\u00a0»`)).toHaveValue(long);
      const saved = await portal.sql.execute({
        sql: 'SELECT note FROM favourites f JOIN users u ON u.id = f.user_id WHERE u.email = ? AND f.offer_id = ?',
        args: [email, picked[1]!.id],
      });
      expect(saved.rows[0]!.note).toBe('Visiter en mars ; école à vérifier');
      await page.goto(page.url().replace(/&ok=note.*$/, ''));
      // Taken out of the favourites in another tab while a note is typed: said so, the text kept to copy.
      const comparedAt = page.url();
      await portal.sql.execute({
        sql: 'DELETE FROM favourites WHERE offer_id = ? AND user_id = (SELECT id FROM users WHERE email = ?)',
        args: [picked[0]!.id, email],
      });
      const gone = table.getByLabel(`Ma note sur «\u00a0${picked[0]!.title}\u00a0»`);
      await gone.fill('Appeler le notaire');
      await gone.locator('xpath=ancestor::form').getByRole('button', { name: 'Enregistrer la note' }).click();
      await expect(page.getByRole('alert')).toHaveText(
        'Cette offre n’est plus dans vos favoris\u00a0: votre note n’a pas été enregistrée.',
      );
      await expect(page.getByLabel(/^Votre note, non enregistrée/)).toHaveValue('Appeler le notaire');
      await axe(page);
      await portal.sql.execute({
        sql: `INSERT INTO favourites (user_id, offer_id, created_at)
              SELECT id, ?, '2026-12-01T00:00:00Z' FROM users WHERE email = ?`,
        args: [picked[0]!.id, email],
      });
      await page.goto(comparedAt);
    }
    if (javaScriptEnabled) {
      await axe(page);
      await checkBothWidths(page, 'compare');
      // On paper: no header, no forms, the notes as text.
      await page.emulateMedia({ media: 'print' });
      await expect(page.locator('header.site-header')).toBeHidden();
      await expect(page.getByRole('button', { name: 'Enregistrer la note' }).first()).toBeHidden();
      await expect(page.locator('p', { hasText: 'Visiter en mars ; école à vérifier' })).toBeVisible();
      await page.emulateMedia({ media: 'screen' });
      // The English page, too.
      await page.goto(page.url().replace('/compte/', '/en/compte/'));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Compare my favourites');
      await axe(page);
      await expectNoOverflowOrClipping(page);
    }
    await context.close();
  });
}
