"use client";

import { json } from "@codemirror/lang-json";
import CodeMirror from "@uiw/react-codemirror";

import { useTheme } from "@/components/shell/theme";

import { cn } from "./cn";

/** A JSON editor (CodeMirror 6) following the page's theme. Load it with next/dynamic (it is large). */
export default function JsonEditor({
  value,
  onChange,
  height = "280px",
  label,
  className,
}: {
  value: string;
  onChange: (value: string) => void;
  height?: string;
  label: string;
  className?: string;
}) {
  const { dark } = useTheme();
  return (
    <div className={cn("overflow-hidden rounded-lg border border-line text-[12.5px]", className)} data-testid="json-editor">
      <CodeMirror
        value={value}
        onChange={onChange}
        height={height}
        theme={dark ? "dark" : "light"}
        extensions={[json()]}
        basicSetup={{ lineNumbers: true, foldGutter: true, highlightActiveLine: false, autocompletion: false }}
        aria-label={label}
      />
    </div>
  );
}
