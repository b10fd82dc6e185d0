import { useEffect } from "react";

const AUTO_DISMISS_MS = 10000;

function Toast({ toast, onDismiss }) {
  useEffect(() => {
    const t = setTimeout(() => onDismiss(toast.id), AUTO_DISMISS_MS);
    return () => clearTimeout(t);
  }, [toast.id, onDismiss]);
  return (
    <div className={`ml-toast ml-toast--${toast.tone}`} role="alert" data-code={toast.code || ""}>
      <span className="ml-toast__msg">{toast.message}</span>
      <button type="button" className="ml-toast__close" aria-label="Dismiss" onClick={() => onDismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}

export default function Toasts({ toasts, onDismiss }) {
  if (!toasts.length) return null;
  return (
    <div className="ml-toasts">
      {toasts.map((t) => (
        <Toast key={t.id} toast={t} onDismiss={onDismiss} />
      ))}
    </div>
  );
}
