import { useState } from "react";

function Paragraphs({ text }) {
  const blocks = String(text || "")
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean);
  return blocks.map((block, i) => <p key={i}>{block}</p>);
}

export default function ProblemCard({ problem }) {
  const [open, setOpen] = useState(false);
  if (!problem) return null;
  return (
    <section className="ml-section ml-problem" aria-labelledby="ml-problem-title">
      <h2 className="ml-section__title">Problem</h2>
      <h3 id="ml-problem-title" className="ml-problem__title">
        {problem.title}
      </h3>
      {problem.summary && <p className="ml-problem__summary">{problem.summary}</p>}
      {problem.prompt && (
        <>
          <button
            type="button"
            className="ml-disclosure"
            aria-expanded={open}
            aria-controls="ml-problem-prompt"
            onClick={() => setOpen((v) => !v)}
          >
            <span className="ml-disclosure__chevron" aria-hidden="true" />
            {open ? "Hide full prompt" : "Show full prompt"}
          </button>
          {open && (
            <div id="ml-problem-prompt" className="ml-problem__prompt">
              <Paragraphs text={problem.prompt} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
