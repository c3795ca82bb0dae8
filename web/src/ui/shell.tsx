import type { ReactNode } from 'react';
import type { Branding } from '../api/models';
import { Icon, type IconName } from './icons';
import { Link, useLocation } from './router';

export interface NavItem {
  to: string;
  label: string;
  icon: IconName;
}

export function Brand({ branding }: { branding: Branding }) {
  return (
    <div className="brand">
      {branding.logoUrl ? (
        <img src={branding.logoUrl} alt="" />
      ) : (
        <span className="brand-mark" aria-hidden="true">
          {branding.title.slice(0, 1).toUpperCase()}
        </span>
      )}
      <span>{branding.title}</span>
    </div>
  );
}

/** Sidebar navigation (a top bar on phones) and the page. */
export function Shell({ branding, nav, footer, children }: { branding: Branding; nav: NavItem[]; footer?: ReactNode; children: ReactNode }) {
  const { path } = useLocation();
  const current = nav.filter((item) => path === item.to || path.startsWith(`${item.to}/`)).sort((a, b) => b.to.length - a.to.length)[0];
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="sidebar-inner">
          <Brand branding={branding} />
          <nav className="nav" aria-label="Main">
            {nav.map((item) => (
              <Link key={item.to} to={item.to} aria-current={item === current ? 'page' : undefined}>
                <Icon name={item.icon} />
                {item.label}
              </Link>
            ))}
          </nav>
          {footer && <div className="sidebar-footer">{footer}</div>}
        </div>
      </aside>
      <main className="main" id="main">
        {children}
      </main>
    </div>
  );
}
