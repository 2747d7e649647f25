"use client";

import { Check, ChevronDown } from "lucide-react";
import { Popover, Select as RadixSelect } from "radix-ui";
import type { ReactNode } from "react";

import { cn } from "./cn";

export interface Option {
  value: string;
  label: ReactNode;
  hint?: ReactNode;
}

const trigger =
  "inline-flex h-8 items-center gap-1.5 rounded-md border border-line bg-panel px-2.5 text-[13px] text-fg shadow-xs hover:bg-hover focus:outline-none focus-visible:ring-2 focus-visible:ring-accent/30 data-[active=true]:border-accent/50 data-[active=true]:bg-accent-soft";
const menu = "z-50 min-w-[12rem] overflow-hidden rounded-lg border border-line bg-panel p-1 shadow-xl";
const item =
  "relative flex h-8 cursor-default items-center gap-2 rounded-md pr-8 pl-2 text-[13px] text-fg outline-none select-none data-[highlighted]:bg-hover";

/** A single choice; `""` means "any" and shows `placeholder`. */
export function Select({
  value,
  onChange,
  options,
  placeholder,
  label,
  icon,
}: {
  value: string;
  onChange: (value: string) => void;
  options: Option[];
  placeholder: string;
  label: string;
  icon?: ReactNode;
}) {
  const ANY = "__any__";
  return (
    <RadixSelect.Root value={value || ANY} onValueChange={(v) => onChange(v === ANY ? "" : v)}>
      <RadixSelect.Trigger className={trigger} aria-label={label} data-active={!!value}>
        {icon && <span className="text-muted [&_svg]:size-3.5">{icon}</span>}
        <span className="max-w-[14rem] truncate">
          <RadixSelect.Value placeholder={placeholder} />
        </span>
        <ChevronDown className="size-3.5 text-muted" />
      </RadixSelect.Trigger>
      <RadixSelect.Portal>
        <RadixSelect.Content className={menu} position="popper" sideOffset={4}>
          <RadixSelect.Viewport className="max-h-80">
            <RadixSelect.Item value={ANY} className={item}>
              <RadixSelect.ItemText>{placeholder}</RadixSelect.ItemText>
              <RadixSelect.ItemIndicator className="absolute right-2">
                <Check className="size-3.5" />
              </RadixSelect.ItemIndicator>
            </RadixSelect.Item>
            {options.map((o) => (
              <RadixSelect.Item key={o.value} value={o.value} className={item}>
                <RadixSelect.ItemText>{o.label}</RadixSelect.ItemText>
                {o.hint && <span className="ml-auto text-xs text-faint">{o.hint}</span>}
                <RadixSelect.ItemIndicator className="absolute right-2">
                  <Check className="size-3.5" />
                </RadixSelect.ItemIndicator>
              </RadixSelect.Item>
            ))}
          </RadixSelect.Viewport>
        </RadixSelect.Content>
      </RadixSelect.Portal>
    </RadixSelect.Root>
  );
}

/** Several choices at once (e.g. statuses), as a checklist in a popover. */
export function MultiSelect({
  values,
  onChange,
  options,
  placeholder,
  label,
  icon,
}: {
  values: string[];
  onChange: (values: string[]) => void;
  options: Option[];
  placeholder: string;
  label: string;
  icon?: ReactNode;
}) {
  const summary =
    values.length === 0 ? placeholder : values.length <= 2 ? values.join(", ") : `${values.length} ${label.toLowerCase()}`;
  return (
    <Popover.Root>
      <Popover.Trigger className={trigger} aria-label={label} data-active={values.length > 0}>
        {icon && <span className="text-muted [&_svg]:size-3.5">{icon}</span>}
        <span className="max-w-[14rem] truncate">{summary}</span>
        <ChevronDown className="size-3.5 text-muted" />
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className={menu} sideOffset={4} align="start">
          <div role="group" aria-label={label}>
            {options.map((o) => {
              const checked = values.includes(o.value);
              return (
                <button
                  key={o.value}
                  type="button"
                  role="menuitemcheckbox"
                  aria-checked={checked}
                  className={cn(item, "w-full hover:bg-hover focus-visible:bg-hover")}
                  onClick={() => onChange(checked ? values.filter((v) => v !== o.value) : [...values, o.value])}
                >
                  <span
                    className={cn(
                      "flex size-4 items-center justify-center rounded border",
                      checked ? "border-accent bg-accent text-accent-fg" : "border-line-strong",
                    )}
                  >
                    {checked && <Check className="size-3" />}
                  </span>
                  {o.label}
                </button>
              );
            })}
          </div>
          {values.length > 0 && (
            <button
              type="button"
              className="mt-1 h-7 w-full rounded-md border-t border-line text-xs text-muted hover:text-fg"
              onClick={() => onChange([])}
            >
              Clear
            </button>
          )}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
