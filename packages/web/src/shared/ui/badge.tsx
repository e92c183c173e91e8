import { cva } from 'class-variance-authority';
import type { VariantProps } from 'class-variance-authority';
import type { HTMLAttributes } from 'react';
import { cn } from '../lib/cn.ts';

const badgeVariants = cva('inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-semibold', {
  variants: {
    variant: {
      default: 'border-transparent bg-primary text-primary-foreground',
      secondary: 'border-transparent bg-secondary text-secondary-foreground',
      outline: 'text-foreground',
      good: 'border-transparent bg-success/15 text-success',
      bad: 'border-transparent bg-destructive/15 text-destructive dark:bg-destructive/25 dark:text-[oklch(0.88_0.07_25)]',
      warn: 'border-transparent bg-warning/20 text-warning',
    },
  },
  defaultVariants: { variant: 'default' },
});

/** A small status label. */
export function Badge({ className, variant, ...props }: HTMLAttributes<HTMLSpanElement> & VariantProps<typeof badgeVariants>) {
  return <span className={cn(badgeVariants({ variant }), className)} {...props} />;
}
