/** An organization shown by its name, its code on hover (codes are for machines). */

/** Props of OrgName. */
export interface OrgNameProps {
  code: string;
  names: Record<string, string | undefined>;
}

/** The name (or the code when the name is not known yet), with the code as a tooltip. */
export function OrgName({ code, names }: OrgNameProps) {
  const name = names[code];
  return <span title={code} data-code={code}>{name ?? code}</span>;
}
