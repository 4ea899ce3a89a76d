import { useRef } from "react";

/**
 * Keeps Chinese input-method composition out of keystroke handling: while the clerk is still
 * composing (typing pinyin before choosing characters) the text is shown but not searched, and
 * Enter chooses a candidate instead of submitting.
 */
export function useImeSafe(onText: (text: string) => void) {
  const composing = useRef(false);
  return {
    /** Props for an <input> or antd <Input>. */
    inputProps: {
      onCompositionStart: () => {
        composing.current = true;
      },
      onCompositionEnd: (e: React.CompositionEvent<HTMLInputElement>) => {
        composing.current = false;
        onText(e.currentTarget.value);
      },
    },
    /** Whether a change or key event belongs to an unfinished composition. */
    isComposing(e?: { nativeEvent?: Event }) {
      const native = e?.nativeEvent as KeyboardEvent | InputEvent | undefined;
      return composing.current || Boolean(native && "isComposing" in native && native.isComposing) || (native as KeyboardEvent | undefined)?.keyCode === 229;
    },
  };
}
