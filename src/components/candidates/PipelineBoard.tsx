// The pipeline board: a column per stage; a card moves one stage forward or back by drag
// and drop, or with the keyboard (focus a card, ← / →). The server applies the same rules
// as the file's form (versions, allowed moves); settling and withdrawing need the file's
// form (commune, date, reason), so the board links to it for those. After a move, "Undo"
// stays offered for a few seconds: the server's `undoStageMove`, which takes the move out of
// the file's history as if it had not been made. The board makes only moves the server
// undoes (`undoableMove`: between two stages of the way).
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatMessage } from '../../i18n/format.ts';

interface Card {
  publicId: string;
  name: string;
  version: number;
  /** "4 persons", "12 days in the stage", "Next: call — 3 Dec.", the agent: written by the page. */
  persons: string;
  days: string;
  next: string | null;
  late: boolean;
  /** "No answer for 52 h (target 48 h)": an enquiry past its territory's first-answer target. */
  overdue: string | null;
  agent: { name: string; initials: string } | null;
  /** "Maturity 72/100" and its band (high, medium, low): the project's score. */
  maturity: { text: string; band: string } | null;
}
interface Column {
  stage: string;
  title: string;
  cards: Card[];
  count: number;
  /** The closed columns: their window ("last 30 days") and the list of all of them. */
  window?: string;
  more?: { href: string; label: string };
}

export const boardMessageKeys = [
  'board.moved',
  'board.failed',
  'board.needsForm',
  'board.instructions',
  'board.undo',
  'board.undone',
  'board.undoFailed',
  'board.signedOut',
  'board.agent',
  'board.days',
] as const;

interface Props {
  columns: Column[];
  m: Record<(typeof boardMessageKeys)[number], string>;
  locale: string;
}

/** The stages the board moves between: the way before settling, as the server's `undoableMove` says. */
const flow = ['enquiry', 'qualified', 'discovery', 'settling'];
/** How long "Undo" stays offered after a move. */
export const UNDO_MS = 8000;

export default function PipelineBoard({ columns: initial, m, locale }: Props) {
  const [columns, setColumns] = useState(initial);
  const [status, setStatus] = useState('');
  /** The last move, to undo: the card as it was, where it came from, where it went. */
  const [undo, setUndo] = useState<{ card: Card; from: string; to: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const stageOf = (id: string) => columns.find((c) => c.cards.some((k) => k.publicId === id))?.stage;
  const title = (stage: string) => columns.find((c) => c.stage === stage)?.title ?? stage;
  const focusCard = (id: string) =>
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-card="${id}"]`)?.focus());

  /**
   * Posts to the file's form handler, which answers a change it made with 204 when asked for
   * no page; a redirect is to sign in again (the session ended), anything else a refusal.
   */
  const post = async (id: string, fields: Record<string, string>): Promise<'done' | 'signedOut' | 'failed'> => {
    const body = new URLSearchParams(fields);
    const res = await fetch(`/agent/candidats/${id}`, {
      method: 'POST',
      body,
      headers: { Accept: 'application/json' },
      redirect: 'manual',
    }).catch(() => null);
    return res?.status === 204 ? 'done' : res?.type === 'opaqueredirect' ? 'signedOut' : 'failed';
  };

  /** Puts `card` at the top of column `to`, out of column `from`. */
  const place = (card: Card, from: string, to: string) =>
    setColumns((cols) =>
      cols.map((c) =>
        c.stage === from
          ? { ...c, count: c.count - 1, cards: c.cards.filter((k) => k.publicId !== card.publicId) }
          : c.stage === to
            ? { ...c, count: c.count + 1, cards: [card, ...c.cards] }
            : c,
      ),
    );

  const move = async (id: string, to: string) => {
    const from = stageOf(id);
    const card = columns.flatMap((c) => c.cards).find((k) => k.publicId === id);
    if (!from || !card || from === to) return;
    const gap = Math.abs(flow.indexOf(from) - flow.indexOf(to));
    if (!flow.includes(from) || !flow.includes(to) || gap !== 1) {
      setStatus(formatMessage(locale, m['board.needsForm'], { name: card.name }));
      return;
    }
    clearTimeout(timer.current);
    setUndo(null);
    const done = await post(id, { to, version: String(card.version) });
    if (done !== 'done') {
      setStatus(
        formatMessage(locale, m[done === 'signedOut' ? 'board.signedOut' : 'board.failed'], { name: card.name }),
      );
      return;
    }
    const days = formatMessage(locale, m['board.days'], { count: 0 });
    place({ ...card, version: card.version + 1, days }, from, to);
    setStatus(formatMessage(locale, m['board.moved'], { name: card.name, stage: title(to) }));
    setUndo({ card, from, to });
    timer.current = setTimeout(() => setUndo(null), UNDO_MS);
    // Keep the keyboard where it was: on the moved card.
    focusCard(id);
  };

  /** Undoes the last move: the card goes back as it was (its days in the stage go on), one version on. */
  const undoMove = async () => {
    if (!undo) return;
    const { card, from, to } = undo;
    clearTimeout(timer.current);
    setUndo(null);
    const done = await post(card.publicId, { intent: 'undo-stage', version: String(card.version + 1) });
    if (done !== 'done') {
      setStatus(
        formatMessage(locale, m[done === 'signedOut' ? 'board.signedOut' : 'board.undoFailed'], { name: card.name }),
      );
      return;
    }
    place({ ...card, version: card.version + 2 }, to, from);
    setStatus(formatMessage(locale, m['board.undone'], { name: card.name, stage: title(from) }));
    focusCard(card.publicId);
  };

  const onKey = (event: KeyboardEvent, id: string) => {
    const from = stageOf(id);
    if (!from || (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft')) return;
    event.preventDefault();
    const i = flow.indexOf(from);
    const to = flow[i + (event.key === 'ArrowRight' ? 1 : -1)];
    if (to) void move(id, to);
    else
      setStatus(
        formatMessage(locale, m['board.needsForm'], {
          name: columns.flatMap((c) => c.cards).find((k) => k.publicId === id)?.name ?? '',
        }),
      );
  };

  return (
    <div class="board-wrap" data-board="ready">
      <p id="board-help" class="help">
        {m['board.instructions']}
      </p>
      <div class="board-status">
        <p class="status" role="status" aria-live="polite">
          {status}
        </p>
        {undo && (
          <button type="button" class="button button--secondary undo" onClick={() => void undoMove()}>
            {m['board.undo']}
          </button>
        )}
      </div>
      <div class="board">
        {columns.map((col) => (
          <section
            class="column"
            aria-label={`${col.title} (${col.count})`}
            data-column={col.stage}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault();
              const id = e.dataTransfer?.getData('application/x-candidate');
              if (id) void move(id, col.stage);
            }}
          >
            <h2>
              {col.title} <span class="count">{col.count}</span>
            </h2>
            {col.window && <p class="window">{col.window}</p>}
            <ul>
              {col.cards.map((card) => (
                <li>
                  <a
                    href={`/agent/candidats/${card.publicId}`}
                    class="card"
                    data-card={card.publicId}
                    draggable={true}
                    aria-describedby="board-help"
                    onDragStart={(e) => e.dataTransfer?.setData('application/x-candidate', card.publicId)}
                    onKeyDown={(e) => onKey(e, card.publicId)}
                  >
                    <span class="card-head">
                      <strong class="name">{card.name}</strong>
                      {card.agent && (
                        <span class="initials" title={card.agent.name}>
                          <span aria-hidden="true">{card.agent.initials}</span>
                          <span class="visually-hidden">
                            {formatMessage(locale, m['board.agent'], { name: card.agent.name })}
                          </span>
                        </span>
                      )}
                    </span>
                    <span class="meta">
                      {card.persons} · {card.days}
                    </span>
                    {card.maturity && (
                      <span class="maturity-chip" data-band={card.maturity.band}>
                        {card.maturity.text}
                      </span>
                    )}
                    {card.overdue && <span class="overdue">{card.overdue}</span>}
                    {card.next && <span class={card.late ? 'next late' : 'next'}>{card.next}</span>}
                  </a>
                </li>
              ))}
            </ul>
            {col.more && (
              <p class="more">
                <a href={col.more.href}>{col.more.label}</a>
              </p>
            )}
          </section>
        ))}
      </div>
    </div>
  );
}
