// Registers every OpenIDCR viewer element. For a smaller bundle, import only the define/* files you use.
import './idcr-record.js';
import './idcr-virtual-ward.js';
import './idcr-patient-search.js';
