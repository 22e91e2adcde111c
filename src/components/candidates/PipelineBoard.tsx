// The pipeline board: a column per stage; a card moves one stage forward or back by drag
// and drop, or with the keyboard (focus a card, ← / →). The server applies the same rules
// as the file's form (versions, allowed moves); settling and withdrawing need the file's
// form (commune, date, reason), so the board links to it for those.
import { useState } from 'preact/hooks';
import { formatMessage } from '../../i18n/format.ts';

interface Card {
  publicId: string;
  name: string;
  version: number;
}
interface Column {
  stage: string;
  title: string;
  cards: Card[];
  count: number;
}

export const boardMessageKeys = ['board.moved', 'board.failed', 'board.needsForm', 'board.instructions'] as const;

interface Props {
  columns: Column[];
  m: Record<(typeof boardMessageKeys)[number], string>;
  locale: string;
}

const flow = ['enquiry', 'qualified', 'discovery', 'settling'];

export default function PipelineBoard({ columns: initial, m, locale }: Props) {
  const [columns, setColumns] = useState(initial);
  const [status, setStatus] = useState('');

  const stageOf = (id: string) => columns.find((c) => c.cards.some((k) => k.publicId === id))?.stage;

  const move = async (id: string, to: string) => {
    const from = stageOf(id);
    const card = columns.flatMap((c) => c.cards).find((k) => k.publicId === id);
    if (!from || !card || from === to) return;
    const gap = Math.abs(flow.indexOf(from) - flow.indexOf(to));
    const title = (stage: string) => columns.find((c) => c.stage === stage)?.title ?? stage;
    if (!flow.includes(from) || !flow.includes(to) || gap !== 1) {
      setStatus(formatMessage(locale, m['board.needsForm'], { name: card.name }));
      return;
    }
    const body = new URLSearchParams({ to, version: String(card.version) });
    const res = await fetch(`/agent/candidats/${id}`, { method: 'POST', body, redirect: 'manual' }).catch(() => null);
    if (!res || res.type !== 'opaqueredirect') {
      setStatus(formatMessage(locale, m['board.failed'], { name: card.name }));
      return;
    }
    setColumns((cols) =>
      cols.map((c) =>
        c.stage === from
          ? { ...c, count: c.count - 1, cards: c.cards.filter((k) => k.publicId !== id) }
          : c.stage === to
            ? { ...c, count: c.count + 1, cards: [{ ...card, version: card.version + 1 }, ...c.cards] }
            : c,
      ),
    );
    setStatus(formatMessage(locale, m['board.moved'], { name: card.name, stage: title(to) }));
    // Keep the keyboard where it was: on the moved card.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-card="${id}"]`)?.focus());
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
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
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
                    {card.name}
                  </a>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </div>
  );
}
