export {
  createFaultPlan,
  parseFaultShorthand,
  FAULT_KINDS,
  type ActiveFault,
  type FaultKind,
  type FaultPlan,
  type FaultSpec,
} from './fault-plan.js';
