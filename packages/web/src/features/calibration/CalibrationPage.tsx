import { PageHeader } from '../../shared/ui/states.tsx';

/** Calibration. */
export default function CalibrationPage() {
  return <PageHeader title="Calibration" />;
}
