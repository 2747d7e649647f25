import { forwardRef, type InputHTMLAttributes, type ReactNode } from "react";

import { cn } from "./cn";

export const inputClass =
  "h-8 w-full rounded-md border border-line bg-panel px-2.5 text-[13px] text-fg shadow-xs placeholder:text-faint focus:border-accent focus:ring-2 focus:ring-accent/20 focus:outline-none";

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement> & { icon?: ReactNode }>(function Input(
  { className, icon, ...props },
  ref,
) {
  if (!icon) return <input ref={ref} className={cn(inputClass, className)} {...props} />;
  return (
    <div className={cn("relative", className)}>
      <span className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-faint [&_svg]:size-3.5">{icon}</span>
      <input ref={ref} className={cn(inputClass, "pl-8")} {...props} />
    </div>
  );
});

export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: ReactNode;
}) {
  return (
    <label className="block">
      <span className="mb-1.5 block text-xs font-medium text-fg">{label}</span>
      {children}
      {error ? (
        <span className="mt-1.5 block text-xs text-rose-600 dark:text-rose-400" role="alert">
          {error}
        </span>
      ) : hint ? (
        <span className="mt-1.5 block text-xs text-muted">{hint}</span>
      ) : null}
    </label>
  );
}
