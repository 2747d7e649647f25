"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";

import { IconButton } from "./button";
import { cn } from "./cn";

/** Copies `text` to the clipboard, confirming with a check mark. */
export function CopyButton({ text, label = "Copy", className }: { text: string; label?: string; className?: string }) {
  const [done, setDone] = useState(false);
  return (
    <IconButton
      label={done ? "Copied" : label}
      className={cn("size-7", className)}
      onClick={(e) => {
        e.stopPropagation();
        void navigator.clipboard
          ?.writeText(text)
          .then(() => {
            setDone(true);
            setTimeout(() => setDone(false), 1200);
          })
          .catch(() => undefined);
      }}
    >
      {done ? <Check className="text-emerald-500" /> : <Copy />}
    </IconButton>
  );
}
